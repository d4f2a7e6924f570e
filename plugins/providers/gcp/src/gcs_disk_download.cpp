#include "gcs_disk_download.hpp"

#include <openssl/evp.h>

#include <hypersdk/http/ranged_download.hpp>
#include <memory>

#include "service_account.hpp"
#include "targz_disk.hpp"

namespace hypersdk::gcp {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string base64(const unsigned char* data, size_t size) {
    std::string out(4 * ((size + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<size_t>(n));
    return out;
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

// The MD5 of the compressed stream as it passes (always read from byte 0).
class Md5Sink final : public http::Sink {
public:
    explicit Md5Sink(http::Sink& inner) : inner_(inner), ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) { reset(); }
    void write(const char* data, size_t size) override {
        EVP_DigestUpdate(ctx_.get(), data, size);
        inner_.write(data, size);
    }
    void write_zeros(uint64_t size) override { inner_.write_zeros(size); }
    void rewind() override {
        inner_.rewind();
        reset();
    }
    uint64_t offset() const override { return inner_.offset(); }
    std::string digest_base64() {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_.get(), md, &n);
        return base64(md, n);
    }

private:
    void reset() { EVP_DigestInit_ex(ctx_.get(), EVP_md5(), nullptr); }
    http::Sink& inner_;
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
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
    Md5Sink hashed(unpack);
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
