// Exporting an instance's disks the way `gcloud compute images export` does,
// straight into sinks: the instance stopped (only when asked), an image of
// each disk, one Cloud Build export build per image (all started, then
// polled), each object downloaded (a .tar.gz unpacked on the fly), and every
// intermediate removed at the end (Intermediates). Independent of the plugin
// ABI: sinks come from the caller.
#pragma once

#include <hypersdk/http/sink.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "cloud_build.hpp"
#include "compute.hpp"
#include "gcs_disk_download.hpp"
#include "intermediates.hpp"
#include "storage.hpp"

namespace hypersdk::gcp {

struct InstanceExportOptions {
    bool power_off = false;
    std::string bucket;  // --gcs-bucket: where the builds write
    std::string format;  // "" (native disk.raw in .tar.gz) or vmdk
    bool keep_intermediate = false;
    std::chrono::seconds build_timeout{std::chrono::hours(2)};
    GcsDiskDownloadOptions download;
};

struct ExportedDisk {
    const DiskInfo* disk = nullptr;
    GcsUri object;
    GcsDiskDownloadResult download;
};

struct InstanceExportCallbacks {
    // The sink for disk `index` of the instance (boot disk first), whose
    // export is `object`; opened by the caller.
    std::function<http::Sink&(size_t index, const DiskInfo& disk, const GcsUri& uri,
                              const ObjectInfo& object)>
        open_sink;
    // Disk `index` is complete: commit its sink.
    std::function<void(size_t index)> commit_sink;
    // Progress lines ("creating image ...", "build ... WORKING (40 s)").
    std::function<void(const std::string& line)> info;
    std::function<void(const std::string& line)> warn;
};

struct InstanceExportResult {
    InstanceInfo instance;
    bool stopped_by_export = false;
    std::vector<ExportedDisk> disks;
};

// A name Compute accepts for a temporary image of `instance`'s disk `index`
// ([a-z]([-a-z0-9]{0,61}[a-z0-9])?), unique per run.
std::string temporary_image_name(const std::string& instance, size_t index, const std::string& run_id);

InstanceExportResult export_instance(Api& api, Compute& compute, CloudBuild& build, Storage& storage,
                                     const std::string& zone, const std::string& name,
                                     const InstanceExportOptions& options,
                                     const InstanceExportCallbacks& callbacks);

}  // namespace hypersdk::gcp
