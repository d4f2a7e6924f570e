// The EBS direct APIs, read side: ListSnapshotBlocks (every page) gives a
// snapshot's allocated blocks; GetSnapshotBlock fetches them in parallel
// through the shared ranged downloader, each block's x-amz-Checksum
// (SHA-256, base64) checked before it reaches the sink, and unallocated
// blocks written as holes.
#pragma once

#include <hypersdk/http/ranged_download.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "service.hpp"

namespace hypersdk::aws {

struct SnapshotBlock {
    uint64_t index = 0;
    std::string token;
};

struct SnapshotBlocks {
    uint64_t block_size = 0;            // bytes (512 KiB on AWS)
    uint64_t volume_size_bytes = 0;     // VolumeSize GiB x 2^30
    std::vector<SnapshotBlock> blocks;  // sorted by index
    int pages = 0;
};

struct BlockDownloadOptions {
    int workers = 8;
    std::function<void(uint64_t done, uint64_t total)> progress;
    http::CancelFn is_cancelled;
};

class Ebs {
public:
    Ebs(const Config& config, const Transport& transport);

    SnapshotBlocks list_snapshot_blocks(const std::string& snapshot_id);

    // The snapshot's bytes into `sink` (from sink.offset()), allocated blocks
    // fetched and checked, the rest as holes. Throws Error.
    http::RangedDownloadResult download(const std::string& snapshot_id, const SnapshotBlocks& blocks,
                                        http::Sink& sink, const BlockDownloadOptions& options);

private:
    Service service_;
};

// nullopt when the answer's x-amz-Checksum is the SHA-256 of `body`;
// otherwise why not (missing header, other algorithm, mismatch).
std::optional<std::string> check_block_checksum(const http::Headers& headers, std::string_view body);

std::string base64_encode(std::string_view bytes);

}  // namespace hypersdk::aws
