// A disk exported to Cloud Storage, fetched into a sink: ranged parallel GETs
// of the object through the shared transport (pinned to its generation). A
// `.tar.gz` (the native export: one disk.raw) is unpacked while it downloads,
// zero blocks becoming holes, and its MD5 checked against the object's
// md5Hash; any other object (vmdk, ...) goes to the sink as it is, resuming
// from the sink's offset.
#pragma once

#include <hypersdk/http/sink.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "storage.hpp"

namespace hypersdk::gcp {

// True for objects named *.tar.gz or *.tgz: Compute Engine's native export.
bool is_native_export(const std::string& object_name);

struct GcsDiskDownloadOptions {
    int workers = 4;
    uint64_t range_size = 8u << 20;
    std::function<void(uint64_t done, uint64_t total)> progress;  // object bytes
    http::CancelFn is_cancelled;
};

struct GcsDiskDownloadResult {
    ObjectInfo object;
    bool unpacked = false;     // a .tar.gz was unpacked
    uint64_t disk_bytes = 0;   // bytes in the sink at the end
    uint64_t zero_bytes = 0;   // of which written as holes (tar.gz: blocks of zeros)
    bool md5_checked = false;  // the whole object's MD5 matched md5Hash
};

GcsDiskDownloadResult download_disk_object(Storage& storage, const GcsUri& uri, const ObjectInfo& object,
                                           http::Sink& out, const GcsDiskDownloadOptions& options);

}  // namespace hypersdk::gcp
