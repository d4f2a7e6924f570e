// Cloud Storage JSON API v1: an object's metadata, its media (alt=media) as
// ranged parallel GETs through the shared transport, pinned to the
// generation read first, and deletion.
#pragma once

#include <hypersdk/http/ranged_download.hpp>

#include <cstdint>
#include <string>

#include "api.hpp"

namespace hypersdk::gcp {

struct GcsUri {
    std::string bucket, object;
    std::string text() const { return "gs://" + bucket + "/" + object; }
};
// "gs://bucket/path/to/object"; Error(config) naming the URI otherwise.
GcsUri parse_gcs_uri(const std::string& uri);

struct ObjectInfo {
    uint64_t size = 0;
    std::string generation;
    std::string md5_base64;  // md5Hash (absent for composite objects)
    std::string content_type;
};

class Storage {
public:
    // `endpoint`: https://storage.googleapis.com, or STORAGE_EMULATOR_HOST's.
    Storage(Api& api, std::string endpoint);

    ObjectInfo stat(const GcsUri& object);
    // The media URL of that generation.
    std::string media_url(const GcsUri& object, const std::string& generation) const;
    // A factory for ranged_download: each range a GET with a fresh token.
    http::RangeRequestFactory range_requests(const GcsUri& object, const std::string& generation);
    void remove(const GcsUri& object);

    Api& api() { return api_; }

private:
    std::string object_url(const GcsUri& object) const;
    Api& api_;
    std::string endpoint_;
};

}  // namespace hypersdk::gcp
