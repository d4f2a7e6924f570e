#include "gcs_disk_download.hpp"

#include <hypersdk/http/ranged_download.hpp>

#include "md5_alongside_sink.hpp"
#include "service_account.hpp"
#include "targz_disk.hpp"

namespace hypersdk::gcp {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Counts holes and passes everything on.
class CountingSink final : public http::Sink {
public:
    explicit CountingSink(http::Sink& inner) : inner_(inner) {}
    void write(const char* data, size_t size) override { inner_.write(data, size); }
    void write_zeros(uint64_t size) override {
        inner_.write_zeros(size);
        zero_bytes += size;
    }
    void rewind() override {
        inner_.rewind();
        zero_bytes = 0;
    }
    uint64_t offset() const override { return inner_.offset(); }
    uint64_t zero_bytes = 0;

private:
    http::Sink& inner_;
};

}  // namespace

bool is_native_export(const std::string& object_name) {
    return ends_with(object_name, ".tar.gz") || ends_with(object_name, ".tgz");
}

GcsDiskDownloadResult download_disk_object(Storage& storage, const GcsUri& uri, const ObjectInfo& object,
                                           http::Sink& out, const GcsDiskDownloadOptions& options) {
    GcsDiskDownloadResult result;
    result.object = object;
    http::RangedDownloadOptions o;
    o.workers = options.workers;
    o.range_size = options.range_size;
    o.progress = options.progress;
    o.is_cancelled = options.is_cancelled;
    const auto requests = storage.range_requests(uri, object.generation);
    CountingSink counted(out);
    if (!is_native_export(uri.object)) {
        if (object.size > 0)
            http::ranged_download(storage.api().client(), requests, http::whole_object(object.size), counted,
                                  o);
        result.disk_bytes = out.offset();
        return result;
    }
    result.unpacked = true;
    TarGzDiskSink unpack(counted, uri.text());
    Md5AlongsideSink hashed(unpack);  // the MD5 of the compressed bytes, beside the unpacking
    if (object.size == 0)
        throw Error(ErrorKind::archive, uri.text() + " is empty: the export did not produce a disk");
    http::ranged_download(storage.api().client(), requests, http::whole_object(object.size), hashed, o);
    unpack.reader().finish();
    if (!object.md5_base64.empty()) {
        if (hashed.digest_base64() != object.md5_base64)
            throw Error(ErrorKind::archive, uri.text() +
                                                ": the downloaded bytes do not match the object's md5Hash; "
                                                "the download is not kept as complete");
        result.md5_checked = true;
    }
    result.disk_bytes = out.offset();
    result.zero_bytes = counted.zero_bytes;
    return result;
}

}  // namespace hypersdk::gcp
