// S3, for what the export-task method needs: the size of the exported
// object (HeadObject), its bytes by ranged parallel GETs (each range signed
// when it is built), and deleting it afterwards.
#pragma once

#include <hypersdk/http/ranged_download.hpp>

#include <cstdint>
#include <string>

#include "service.hpp"

namespace hypersdk::aws {

struct ObjectInfo {
    uint64_t size = 0;
    std::string etag;
};

struct ObjectDownloadOptions {
    int workers = 4;
    uint64_t range_size = 8u << 20;
    std::function<void(uint64_t done, uint64_t total)> progress;
    http::CancelFn is_cancelled;
};

class S3 {
public:
    S3(const Config& config, const Transport& transport);

    // Path-style for custom endpoints (https://host/bucket/key), virtual-hosted
    // on AWS (https://bucket.s3.region.amazonaws.com/key).
    std::string object_url(const std::string& bucket, const std::string& key) const;

    ObjectInfo head_object(const std::string& bucket, const std::string& key);
    http::RangedDownloadResult download(const std::string& bucket, const std::string& key,
                                        const ObjectInfo& info, http::Sink& sink,
                                        const ObjectDownloadOptions& options);
    void delete_object(const std::string& bucket, const std::string& key);

private:
    Service service_;
    bool path_style_;
    std::string region_;
};

// Throws Error(config) unless `bucket` is a valid S3 bucket name.
void check_bucket_name(const std::string& bucket);

}  // namespace hypersdk::aws
