// The disks of an export downloaded at once on the provider kit's transfer
// pool: up to `parallel` disks together, the `parallel` range workers shared
// among them, each disk's page blob read into its own sparse host sink
// (page_blob.hpp). While they run, the pool's periodic hook renews every
// unfinished disk's SAS ahead of its `se` expiry (storage's 403 still renews
// it too). Progress is the sum over the disks. A disk's `on_done` (revoke its
// access) runs on its worker as soon as its file is committed.
#pragma once

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/documents.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "page_blob.hpp"
#include "session.hpp"
#include "vm_view.hpp"

namespace hypersdk::azure::plugin {

struct DiskTransfer {
    const DiskView* disk = nullptr;
    std::unique_ptr<SasSource> sas;
    std::string source;    // the resource the SAS reads (snapshot or disk id); "" for a user's SAS URL
    std::string key_base;  // the start of the sink's source_key
};

struct DownloadSettings {
    std::string format = "vhd";  // vhd or raw (the disk without its footer)
    std::string file_stem;       // files are <stem>-<disk id>.<format>
    int parallel = 4;            // the host's --parallel: disks at once, range workers in all
    uint64_t range_bytes = 4u << 20;
    std::chrono::milliseconds renewal_check{1000};  // how often the hook looks at the SAS expiries
};

struct DownloadedDisks {
    std::vector<provider::ExportedFile> files;  // in disk order
    int sas_renewals = 0;                       // all renewals, of which
    int early_renewals = 0;                     // ahead of the expiry
};

// Throws the first disk's error (the others stop), or Error(cancelled).
DownloadedDisks download_disks(Session& session, std::vector<DiskTransfer>& disks,
                               const DownloadSettings& settings, const cxx::Job& job,
                               const std::function<void(const DiskTransfer&)>& on_done);

}  // namespace hypersdk::azure::plugin
