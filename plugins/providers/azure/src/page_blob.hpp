// Reading an Azure page blob (a managed disk or snapshot) through a read SAS:
// Get Page Ranges first (the valid pages; everything else reads as zeros),
// the VHD footer checked, then parallel ranged GETs of only the valid ranges
// into a sparse sink with the shared transport, each range's Content-MD5
// verified where the service returns it (ranges of at most 4 MiB) and its
// Content-Range checked. A SAS that expires mid-download (403) is renewed
// through its SasSource and the download continues from the sink's offset
// (renewing ahead of the expiry is the caller's: SasSource::renew_if_expiring).
#pragma once

#include <hypersdk/http/client.hpp>
#include <hypersdk/http/extents.hpp>
#include <hypersdk/http/ranged_download.hpp>
#include <hypersdk/http/sink.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sas_source.hpp"
#include "vhd_footer.hpp"

namespace hypersdk::azure {

inline constexpr const char* kStorageApiVersion =
    "2021-08-06";  // x-ms-version: paged Get Page Ranges, range MD5

struct PageRanges {
    uint64_t blob_size = 0;
    std::vector<http::Extent> data;  // sorted, as the service listed them
};

// Parses one Get Page Ranges answer (<PageList><PageRange><Start>..</Start>
// <End>..</End></PageRange>...<NextMarker>..</NextMarker></PageList>),
// appending the page ranges to `out` and returning the next marker ("" at
// the end). No recursion; at most `max_ranges` ranges. Throws Error(protocol).
std::string parse_page_list(std::string_view xml, std::vector<http::Extent>& out,
                            size_t max_ranges = 4u << 20);

// What a download needs to know before it starts: the blob's size, its valid
// page ranges and its checked VHD footer.
struct BlobLayout {
    uint64_t blob_size = 0;
    std::vector<http::Extent> data;
    uint64_t data_bytes = 0;
    VhdFooter footer;
};

struct BlobDownloadOptions {
    int workers = 4;
    uint64_t range_size = 4u << 20;  // Azure returns Content-MD5 for ranges up to 4 MiB
    bool drop_footer = false;        // raw output: the disk without the 512-byte VHD footer
    int max_sas_renewals = 20;
    std::function<void(uint64_t done, uint64_t total)> progress;
    http::CancelFn is_cancelled;
    std::function<void(const std::string&)> log;  // debug lines (already free of secrets)
};

struct BlobDownloadResult {
    uint64_t blob_size = 0;
    uint64_t output_bytes = 0;  // bytes in the sink at the end
    uint64_t data_bytes = 0;    // bytes the page ranges cover
    int page_ranges = 0;
    int sas_renewals = 0;        // all renewals of the SAS so far (inspect and download)
    int sas_early_renewals = 0;  // of which ahead of its expiry (SasSource::renew_if_expiring)
    int md5_verified = 0;        // ranges whose Content-MD5 was checked
    VhdFooter footer;
    http::RangedDownloadResult transfer;  // of the last pass
    uint64_t bytes_fetched = 0;           // all passes
};

class PageBlobReader {
public:
    // `client` talks to the blob's storage endpoint.
    PageBlobReader(http::Client& client, SasSource& sas) : client_(client), sas_(sas) {}

    PageRanges page_ranges(const http::CancelFn& cancelled = {});
    std::string read(uint64_t offset, uint64_t length, const http::CancelFn& cancelled = {});
    // Get Page Ranges and the footer (checked). Throws Error.
    BlobLayout inspect(const http::CancelFn& cancelled = {});
    // The blob (or, with drop_footer, the disk without its footer) into
    // `sink` from sink.offset(): valid ranges fetched, the rest holes.
    BlobDownloadResult download(http::Sink& sink, const BlobLayout& layout,
                                const BlobDownloadOptions& options);

private:
    // Runs `fn`, renewing the SAS on a 403 while renewals are left and
    // `progress()` moved since the last renewal.
    template <typename Fn>
    auto with_renewal(Fn&& fn, const std::function<uint64_t()>& progress, int max_renewals,
                      const std::function<void(const std::string&)>& log);

    http::Client& client_;
    SasSource& sas_;
};

}  // namespace hypersdk::azure
