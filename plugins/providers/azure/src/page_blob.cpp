#include "page_blob.hpp"

#include <openssl/evp.h>

#include <charconv>

#include <hypersdk/http/content_range.hpp>
#include <hypersdk/http/redact.hpp>

#include "errors.hpp"
#include "one_line.hpp"
#include "url.hpp"

namespace hypersdk::azure {
namespace {

// The text between <tag> and </tag> starting the search at `from`; npos when absent.
std::string_view element(std::string_view xml, std::string_view tag, size_t from, size_t limit,
                         size_t* end = nullptr) {
    const std::string open = "<" + std::string(tag) + ">";
    const std::string close = "</" + std::string(tag) + ">";
    const size_t a = xml.find(open, from);
    if (a == std::string_view::npos || a >= limit) return {};
    const size_t b = xml.find(close, a + open.size());
    if (b == std::string_view::npos || b > limit)
        throw Error(ErrorKind::protocol, "Get Page Ranges: <" + std::string(tag) + "> is not closed");
    if (end) *end = b + close.size();
    return xml.substr(a + open.size(), b - a - open.size());
}

uint64_t number(std::string_view text, const char* what) {
    uint64_t value = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || p != text.data() + text.size() || text.empty())
        throw Error(ErrorKind::protocol, std::string("Get Page Ranges: ") + what + " is not a number");
    return value;
}

std::string base64_of_md5(std::string_view body) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(body.data(), body.size(), digest, &size, EVP_md5(), nullptr);
    unsigned char encoded[64];
    const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(size));
    return std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

// Passes the first `limit` bytes to the sink and drops the rest: the raw
// disk without the VHD footer, while the download still covers (and checks
// the size of) the whole blob.
class LimitSink : public http::Sink {
public:
    LimitSink(http::Sink& sink, uint64_t limit) : sink_(sink), limit_(limit) {}
    void write(const char* data, size_t size) override {
        const uint64_t at = sink_.offset() + dropped_;
        const uint64_t keep = at >= limit_ ? 0 : std::min<uint64_t>(size, limit_ - at);
        if (keep) sink_.write(data, static_cast<size_t>(keep));
        dropped_ += size - keep;
    }
    void write_zeros(uint64_t size) override {
        const uint64_t at = sink_.offset() + dropped_;
        const uint64_t keep = at >= limit_ ? 0 : std::min<uint64_t>(size, limit_ - at);
        if (keep) sink_.write_zeros(keep);
        dropped_ += size - keep;
    }
    void rewind() override {
        sink_.rewind();
        dropped_ = 0;
    }
    uint64_t offset() const override { return sink_.offset() + dropped_; }

private:
    http::Sink& sink_;
    uint64_t limit_;
    uint64_t dropped_ = 0;
};

http::Request blob_request(const std::string& url, const http::CancelFn& cancelled) {
    http::Request r;
    r.url = url;
    r.headers = {{"x-ms-version", kStorageApiVersion}};
    r.is_cancelled = cancelled;
    r.description = "GET " + without_query(url);
    return r;
}

}  // namespace

std::string parse_page_list(std::string_view xml, std::vector<http::Extent>& out, size_t max_ranges) {
    const size_t list_start = xml.find("<PageList");
    if (list_start == std::string_view::npos)
        throw Error(ErrorKind::protocol, "Get Page Ranges answered without a <PageList>");
    const size_t list_end = xml.find("</PageList>", list_start);
    const size_t limit = list_end == std::string_view::npos ? xml.size() : list_end;
    if (list_end == std::string_view::npos && xml.find("<PageList/>", list_start) == std::string_view::npos &&
        xml.find("<PageList />", list_start) == std::string_view::npos)
        throw Error(ErrorKind::protocol, "Get Page Ranges: <PageList> is not closed");
    size_t at = list_start;
    for (;;) {
        size_t end = 0;
        const std::string_view range = element(xml, "PageRange", at, limit, &end);
        if (range.data() == nullptr) break;
        const uint64_t start = number(element(range, "Start", 0, range.size()), "Start");
        const uint64_t last = number(element(range, "End", 0, range.size()), "End");
        if (last < start || start % 512 != 0 || (last + 1) % 512 != 0)
            throw Error(ErrorKind::protocol, "Get Page Ranges: range " + std::to_string(start) + "-" +
                                                 std::to_string(last) + " is not whole 512-byte pages");
        if (out.size() >= max_ranges)
            throw Error(ErrorKind::protocol,
                        "Get Page Ranges listed more than " + std::to_string(max_ranges) + " ranges");
        out.push_back({start, last - start + 1, true});
        at = end;
    }
    const std::string_view marker = element(xml, "NextMarker", list_start, xml.size());
    return std::string(marker.data() == nullptr ? std::string_view() : marker);
}

template <typename Fn>
auto PageBlobReader::with_renewal(Fn&& fn, const std::function<uint64_t()>& progress, int max_renewals,
                                  const std::function<void(const std::string&)>& log) {
    std::optional<uint64_t> progress_at_renewal;
    for (int renewals = 0;; ++renewals) {
        try {
            return fn();
        } catch (const http::Error& e) {
            const bool forbidden = e.kind() == http::ErrorKind::status && e.http_status() == 403;
            const bool moved = !progress_at_renewal || progress() > *progress_at_renewal;
            if (!forbidden) throw from_http(e);
            if (!sas_.renewable())
                throw Error(ErrorKind::auth,
                            std::string(e.what()) +
                                "; the SAS URL was refused (expired or not a read SAS for this "
                                "blob): get a new one and run the export again to resume");
            if (renewals >= max_renewals || !moved)
                throw Error(ErrorKind::auth,
                            std::string(e.what()) + "; a fresh SAS from beginGetAccess was refused too");
            if (log) log("the SAS was refused (" + first_line(e.what()) + "); asking for a new one");
            progress_at_renewal = progress();
            sas_.renew();
        }
    }
}

PageRanges PageBlobReader::page_ranges(const http::CancelFn& cancelled) {
    PageRanges result;
    std::string marker;
    for (int page = 0;; ++page) {
        if (page == 100000)
            throw Error(ErrorKind::protocol, "Get Page Ranges did not end after 100000 pages");
        const http::Response answer = with_renewal(
            [&] {
                http::Request r =
                    blob_request(with_query_parameter(sas_.url(), "comp", "pagelist"), cancelled);
                if (!marker.empty()) r.url = with_query_parameter(r.url, "marker", marker);
                r.max_body = 32u << 20;
                r.description = "Get Page Ranges " + without_query(r.url);
                http::Response a = client_.send(r);
                http::Client::check_status(r, a);
                return a;
            },
            [&] { return static_cast<uint64_t>(result.data.size()); }, 3, {});
        const auto size = answer.header("x-ms-blob-content-length");
        if (!size)
            throw Error(ErrorKind::protocol, "Get Page Ranges answered without x-ms-blob-content-length");
        result.blob_size = number(*size, "x-ms-blob-content-length");
        marker = parse_page_list(answer.body, result.data);
        if (marker.empty()) break;
    }
    return result;
}

std::string PageBlobReader::read(uint64_t offset, uint64_t length, const http::CancelFn& cancelled) {
    return with_renewal(
        [&] {
            http::Request r = blob_request(sas_.url(), cancelled);
            r.headers.push_back({"x-ms-range", http::range_header(offset, length)});
            http::Response a = client_.send(r);
            http::Client::check_status(r, a);
            if (a.status != 206 || a.body.size() != length)
                throw Error(ErrorKind::protocol, "the blob answered " + std::to_string(a.body.size()) +
                                                     " bytes to a " + std::to_string(length) +
                                                     "-byte range request");
            return a.body;
        },
        [] { return uint64_t{0}; }, 3, {});
}

BlobLayout PageBlobReader::inspect(const http::CancelFn& cancelled) {
    PageRanges ranges = page_ranges(cancelled);
    BlobLayout layout;
    layout.blob_size = ranges.blob_size;
    for (const auto& r : ranges.data) layout.data_bytes += r.length;
    if (ranges.blob_size < kVhdFooterBytes)
        throw Error(ErrorKind::protocol,
                    "the blob is " + std::to_string(ranges.blob_size) + " bytes: not a disk");
    layout.footer = parse_vhd_footer(read(ranges.blob_size - kVhdFooterBytes, kVhdFooterBytes, cancelled),
                                     ranges.blob_size, "the blob " + without_query(sas_.url()));
    layout.data = std::move(ranges.data);
    return layout;
}

BlobDownloadResult PageBlobReader::download(http::Sink& sink, const BlobLayout& layout,
                                            const BlobDownloadOptions& options) {
    BlobDownloadResult result;
    const PageRanges ranges{layout.blob_size, layout.data};
    result.blob_size = layout.blob_size;
    result.page_ranges = static_cast<int>(layout.data.size());
    result.data_bytes = layout.data_bytes;
    result.footer = layout.footer;
    std::vector<http::Extent> extents;
    try {
        extents = http::extents_from_data_ranges(ranges.data, ranges.blob_size);
    } catch (const http::Error& e) {
        throw from_http(e);
    }

    std::atomic<int> md5_verified{0};
    http::RangedDownloadOptions o;
    o.workers = options.workers;
    o.range_size = options.range_size;
    o.is_cancelled = options.is_cancelled;
    o.check = [&md5_verified](const http::RangeData& d) -> std::optional<std::string> {
        const auto md5 = http::find_header(d.headers, "Content-MD5");
        if (!md5) return std::nullopt;  // not returned (ranges over 4 MiB): Content-Range still checked
        if (base64_of_md5(d.body) != http::trim(*md5)) return std::string("Content-MD5 mismatch");
        ++md5_verified;
        return std::nullopt;
    };
    const uint64_t output_size = options.drop_footer ? ranges.blob_size - kVhdFooterBytes : ranges.blob_size;
    if (options.progress)
        o.progress = [&](uint64_t done, uint64_t) {
            options.progress(std::min(done, output_size), output_size);
        };
    LimitSink limited(sink, output_size);
    http::Sink& target = options.drop_footer ? static_cast<http::Sink&>(limited) : sink;
    const http::RangeRequestFactory requests = [this, &options](const http::RangeSpec& spec) {
        http::Request r = blob_request(sas_.url(), options.is_cancelled);
        // Both range headers with the same value (Azure takes x-ms-range; the
        // transport reads Range): with a per-range check it never continues
        // inside a range, so the two never differ.
        r.headers.push_back({"Range", http::range_header(spec.offset, spec.length)});
        r.headers.push_back({"x-ms-range", http::range_header(spec.offset, spec.length)});
        // Ranges of at most 4 MiB: ask for their MD5.
        if (spec.length <= (4u << 20)) r.headers.push_back({"x-ms-range-get-content-md5", "true"});
        return r;
    };
    result.transfer = with_renewal(
        [&] {
            auto pass = http::ranged_download(client_, requests, extents, target, o);
            result.bytes_fetched += pass.bytes_fetched;
            return pass;
        },
        [&] { return target.offset(); }, options.max_sas_renewals, options.log);
    result.sas_renewals = sas_.renewals();
    result.sas_early_renewals = sas_.early_renewals();
    result.md5_verified = md5_verified.load();
    result.output_bytes = sink.offset();
    return result;
}

}  // namespace hypersdk::azure
