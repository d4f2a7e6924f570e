#include "s3.hpp"

#include <cctype>

namespace hypersdk::aws {

void check_bucket_name(const std::string& bucket) {
    bool ok = bucket.size() >= 3 && bucket.size() <= 63 &&
              std::isalnum(static_cast<unsigned char>(bucket.front())) &&
              std::isalnum(static_cast<unsigned char>(bucket.back()));
    for (unsigned char c : bucket) ok = ok && (std::islower(c) || std::isdigit(c) || c == '-' || c == '.');
    if (!ok)
        throw Error(
            ErrorKind::config,
            "\"" + bucket + "\" is not an S3 bucket name (3-63 lower-case letters, digits, '-' and '.')");
}

S3::S3(const Config& config, const Transport& transport)
    : service_("s3", config.s3_endpoint, config, transport),
      path_style_(config.s3_path_style),
      region_(config.region) {}

std::string S3::object_url(const std::string& bucket, const std::string& key) const {
    check_bucket_name(bucket);
    const std::string path = "/" + aws_uri_encode(key, true);
    // Dotted bucket names do not fit the wildcard certificate: path-style for them.
    if (path_style_ || bucket.find('.') != std::string::npos)
        return service_.endpoint() + "/" + bucket + path;
    return "https://" + bucket + ".s3." + region_ + ".amazonaws.com" + path;
}

ObjectInfo S3::head_object(const std::string& bucket, const std::string& key) {
    http::Request r;
    r.method = "HEAD";
    r.url = object_url(bucket, key);
    r.timeout = std::chrono::minutes(2);
    const auto answer = service_.send(std::move(r), "s3:HeadObject s3://" + bucket + "/" + key);
    ObjectInfo info;
    const auto length = answer.header("Content-Length");
    if (!length || length->empty() || length->find_first_not_of("0123456789") != std::string::npos)
        throw Error(ErrorKind::network, "S3 gave no Content-Length for s3://" + bucket + "/" + key);
    info.size = std::stoull(*length);
    info.etag = answer.header("ETag").value_or("");
    return info;
}

http::RangedDownloadResult S3::download(const std::string& bucket, const std::string& key,
                                        const ObjectInfo& info, http::Sink& sink,
                                        const ObjectDownloadOptions& options) {
    const std::string url = object_url(bucket, key);
    const std::string etag = info.etag;
    http::RangeRequestFactory factory = [&](const http::RangeSpec& range) {
        http::Request r;
        r.url = url;
        r.headers = {{"Range", "bytes=" + std::to_string(range.offset) + "-" +
                                   std::to_string(range.offset + range.length - 1)}};
        // The object must not change under us between ranges.
        if (!etag.empty()) r.headers.push_back({"If-Match", etag});
        r.description = "s3:GetObject s3://" + bucket + "/" + key;
        service_.sign(r);
        return r;
    };
    http::RangedDownloadOptions o;
    o.workers = std::max(1, options.workers);
    o.range_size = options.range_size;
    o.progress = options.progress;
    o.is_cancelled = options.is_cancelled;
    try {
        return http::ranged_download(service_.client(), factory, http::whole_object(info.size), sink, o);
    } catch (const http::Error& e) {
        if (e.kind() == http::ErrorKind::status)
            throw Error(e.http_status() == 403 ? ErrorKind::permission : ErrorKind::service,
                        std::string(e.what()) + " (s3:GetObject)");
        throw error_from_transport("s3:GetObject", e);
    }
}

void S3::delete_object(const std::string& bucket, const std::string& key) {
    http::Request r;
    r.method = "DELETE";
    r.url = object_url(bucket, key);
    r.timeout = std::chrono::minutes(2);
    service_.send(std::move(r), "s3:DeleteObject s3://" + bucket + "/" + key);
}

}  // namespace hypersdk::aws
