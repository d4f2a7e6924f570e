// A large object fetched with parallel Range requests and delivered to a
// sink in order. N workers fetch data ranges of at most range_size bytes;
// the calling thread writes them in order through a reorder window of
// `window` ranges (default N), so memory stays below window x range_size
// whatever the object's size. Holes go to Sink::write_zeros. Each range can
// be checked by an integrity callback (a checksum the source returned) and
// is fetched again when rejected, a bounded number of times. The download
// resumes from the sink's offset; a server that answers 200 to a Range
// request restarts the sink (rewind) and the object is streamed whole, in
// order, instead. Progress is reported and cancellation polled at least
// every poll_interval.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client.hpp"
#include "extents.hpp"
#include "sink.hpp"

namespace hypersdk::http {

// One range to fetch: the request it needs.
struct RangeSpec {
    uint64_t offset = 0;
    uint64_t length = 0;
    int attempt = 1;  // 2, 3, ... when fetched again after an integrity failure
};

// Builds the request for a range. The default (range_request_factory) is a
// GET of one URL with a Range header; providers whose blocks have their own
// URLs (EBS GetSnapshotBlock) or whose URL can expire (a SAS renewed
// mid-download) give their own.
using RangeRequestFactory = std::function<Request(const RangeSpec&)>;
RangeRequestFactory range_request_factory(std::string url, Headers headers = {});

// What an integrity check sees: the range, the answer's headers and its body.
struct RangeData {
    uint64_t offset = 0;
    uint64_t length = 0;
    const Headers& headers;
    std::string_view body;
};
// nullopt: accepted. A string: rejected, and why ("x-amz-checksum-sha256 mismatch").
using IntegrityCheck = std::function<std::optional<std::string>(const RangeData&)>;

struct RangedDownloadOptions {
    int workers = 4;
    uint64_t range_size = 8u << 20;
    int window = 0;  // ranges fetched ahead of the sink at most; 0: workers
    // A range that passes its response but fails the check is fetched again
    // up to this many times in all before the download fails.
    int max_integrity_attempts = 3;
    IntegrityCheck check;
    // Bytes in the sink and the object's size, from the calling thread.
    std::function<void(uint64_t done, uint64_t total)> progress;
    CancelFn is_cancelled;
    std::chrono::milliseconds poll_interval{200};
    // Whether the source's bytes are a stable object a Content-Range total
    // can be checked against (true for blobs and objects).
    bool check_total = true;
};

struct RangedDownloadResult {
    uint64_t size = 0;           // bytes in the sink at the end
    uint64_t resumed_from = 0;   // the sink's offset at the start
    uint64_t bytes_fetched = 0;  // body bytes received for data ranges (retries included)
    uint64_t zero_bytes = 0;     // bytes written as holes
    int ranges = 0;              // data ranges fetched
    int integrity_failures = 0;  // ranges rejected by the check and fetched again
    bool restarted = false;      // a server ignored Range: the sink was rewound
};

// Fetches `extents` (see extents.hpp) into `sink`, starting at sink.offset().
// Throws Error (the first failure of any worker; the others stop), Error(cancelled),
// or whatever the sink throws. On failure the sink holds a prefix of the object.
RangedDownloadResult ranged_download(Client& client, const RangeRequestFactory& requests,
                                     const std::vector<Extent>& extents, Sink& sink,
                                     const RangedDownloadOptions& options);

}  // namespace hypersdk::http
