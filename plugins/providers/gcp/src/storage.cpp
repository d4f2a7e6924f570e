#include "storage.hpp"

#include "endpoint.hpp"
#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::gcp {
namespace pc = hypersdk::plugin_common;

GcsUri parse_gcs_uri(const std::string& uri) {
    const std::string prefix = "gs://";
    if (uri.rfind(prefix, 0) == 0) {
        const auto slash = uri.find('/', prefix.size());
        if (slash != std::string::npos && slash > prefix.size() && slash + 1 < uri.size()) {
            GcsUri out{uri.substr(prefix.size(), slash - prefix.size()), uri.substr(slash + 1)};
            bool ok = out.object.size() <= 1024;
            for (char c : out.bucket)
                ok = ok &&
                     ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
            for (unsigned char c : out.object) ok = ok && c >= 0x20 && c != 0x7f;
            if (ok) return out;
        }
    }
    throw Error(ErrorKind::config,
                "\"" + uri + "\" is not a Cloud Storage object URI; write gs://BUCKET/OBJECT");
}

Storage::Storage(Api& api, std::string endpoint) : api_(api), endpoint_(trim_endpoint(std::move(endpoint))) {
    check_endpoint(endpoint_, "the Cloud Storage endpoint (--storage-endpoint / STORAGE_EMULATOR_HOST)");
}

std::string Storage::object_url(const GcsUri& o) const {
    return endpoint_ + "/storage/v1/b/" + url_encode(o.bucket) + "/o/" + url_encode(o.object);
}

ObjectInfo Storage::stat(const GcsUri& o) {
    const auto doc = api_.get(object_url(o), "read object " + o.text());
    ObjectInfo info;
    try {
        const std::string size = pc::get_string(doc, "size", "").value_or("");
        size_t used = 0;
        info.size = std::stoull(size, &used);
        if (used != size.size() || size.empty()) throw std::invalid_argument(size);
    } catch (const std::exception&) {
        throw Error(ErrorKind::protocol, "Cloud Storage gave object " + o.text() + " no valid size");
    }
    info.generation = pc::get_string(doc, "generation", "").value_or("");
    info.md5_base64 = pc::get_string(doc, "md5Hash", "").value_or("");
    info.content_type = pc::get_string(doc, "contentType", "").value_or("");
    return info;
}

std::string Storage::media_url(const GcsUri& o, const std::string& generation) const {
    return object_url(o) + "?alt=media" + (generation.empty() ? "" : "&generation=" + url_encode(generation));
}

http::RangeRequestFactory Storage::range_requests(const GcsUri& o, const std::string& generation) {
    return [this, url = media_url(o, generation)](const http::RangeSpec& range) {
        http::Request r;
        r.url = url;
        r.headers = api_.auth_headers();  // the token source renews it during long downloads
        r.headers.push_back({"Range", "bytes=" + std::to_string(range.offset) + "-" +
                                          std::to_string(range.offset + range.length - 1)});
        return r;
    };
}

void Storage::remove(const GcsUri& o) {
    api_.call("DELETE", object_url(o), "", "delete object " + o.text());
}

}  // namespace hypersdk::gcp
