// One object streamed in order from a byte offset (an open-ended Range), for
// sources of unknown size or that cannot be fetched in parallel (vSphere NFC
// device URLs). A connection that breaks mid-body is resumed from the next
// byte, within the client's retry policy; a server that ignores Range (200)
// makes the consumer start over (on_restart) instead of appending; a body
// that ends before its announced size is an error, never success.
#pragma once

#include <cstdint>
#include <functional>

#include "client.hpp"
#include "request.hpp"

namespace hypersdk::http {

struct StreamCallbacks {
    // Bytes in order, starting at the result's start_offset. Throw to abort.
    std::function<void(const char* data, size_t size)> on_data;
    // The server ignored Range and sends the whole object: discard what was
    // kept before (e.g. Sink::rewind); on_data continues from byte 0.
    // Throw to refuse.
    std::function<void()> on_restart;
    // Absolute position and total size (0: unknown), as bytes arrive.
    std::function<void(uint64_t position, uint64_t total)> on_progress;
    // Polled at least once a second; true stops with Error(cancelled).
    CancelFn is_cancelled;
};

struct StreamResult {
    long status = 0;            // of the last answer: 200, 206, or 416 when already complete
    uint64_t start_offset = 0;  // where the delivered bytes began (0 after a restart)
    uint64_t bytes = 0;         // bytes delivered to on_data
    uint64_t total = 0;         // full size when the server said (0: unknown)
    bool restarted = false;     // asked for an offset > 0, got 200: on_restart was called
    int attempts = 0;           // requests made
};

// GET `request` (its method, URL and headers; any Range header is replaced)
// from byte `offset` into `callbacks`, always with a Range header
// ("bytes=OFFSET-", also from 0, so that a 206 announces the size). Errors: Error(status) for an answer
// other than 200/206 (and 416 at the end), Error(transport) when the body
// ends short ("... after N bytes"), Error(protocol) for a 206 that does not
// start where asked, plus what Client::send throws.
StreamResult stream_download(Client& client, const Request& request, uint64_t offset,
                             const StreamCallbacks& callbacks);

}  // namespace hypersdk::http
