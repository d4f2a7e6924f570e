#include "ebs.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <algorithm>
#include <unordered_map>

namespace hypersdk::aws {

namespace {

constexpr int kMaxPages = 100000;  // 10,000 blocks a page: far beyond a 64 TiB volume
constexpr uint64_t kGiB = 1ull << 30;

std::string snapshot_path(const std::string& snapshot_id) {
    return "/snapshots/" + aws_uri_encode(snapshot_id) + "/blocks";
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::optional<std::string> check_block_checksum(const http::Headers& headers, std::string_view body) {
    const auto checksum = http::find_header(headers, "x-amz-Checksum");
    if (!checksum) return std::string("the block has no x-amz-Checksum");
    const auto algorithm = http::find_header(headers, "x-amz-Checksum-Algorithm");
    if (algorithm && *algorithm != "SHA256")
        return "the block's checksum algorithm is " + *algorithm + ", not SHA256";
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
    const std::string expected(http::trim(*checksum));
    if (base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest)) != expected)
        return std::string("x-amz-Checksum (SHA-256) does not match the block's bytes");
    return std::nullopt;
}

Ebs::Ebs(const Config& config, const Transport& transport)
    : service_("ebs", config.ebs_endpoint, config, transport) {}

SnapshotBlocks Ebs::list_snapshot_blocks(const std::string& snapshot_id) {
    SnapshotBlocks out;
    std::string token;
    for (int page = 0; page < kMaxPages; ++page) {
        http::Request r;
        r.url = service_.endpoint() + snapshot_path(snapshot_id) + "?maxResults=10000";
        if (!token.empty()) r.url += "&pageToken=" + aws_uri_encode(token);
        r.accept_compressed = true;
        r.timeout = std::chrono::minutes(2);
        const auto answer = service_.send(std::move(r), "ebs:ListSnapshotBlocks");
        rapidjson::Document doc;
        try {
            doc =
                manifest::parse_json_limited(answer.body, "EBS's ListSnapshotBlocks answer", {64u << 20, 16});
        } catch (const manifest::JsonInputError& e) {
            throw Error(ErrorKind::network, e.what());
        }
        if (!doc.IsObject() || !doc.HasMember("BlockSize") || !doc["BlockSize"].IsUint64() ||
            !doc.HasMember("VolumeSize") || !doc["VolumeSize"].IsUint64())
            throw Error(ErrorKind::network, "EBS's ListSnapshotBlocks answer for " + snapshot_id +
                                                " lacks BlockSize or VolumeSize (ebs:ListSnapshotBlocks)");
        const uint64_t block_size = doc["BlockSize"].GetUint64();
        const uint64_t volume_size = doc["VolumeSize"].GetUint64() * kGiB;
        if (block_size == 0 || block_size > (64u << 20) || (out.pages > 0 && block_size != out.block_size))
            throw Error(ErrorKind::network, "EBS gave an unusable BlockSize " + std::to_string(block_size) +
                                                " for " + snapshot_id);
        out.block_size = block_size;
        out.volume_size_bytes = volume_size;
        ++out.pages;
        if (doc.HasMember("Blocks") && doc["Blocks"].IsArray()) {
            for (const auto& b : doc["Blocks"].GetArray()) {
                if (!b.IsObject() || !b.HasMember("BlockIndex") || !b["BlockIndex"].IsUint64() ||
                    !b.HasMember("BlockToken") || !b["BlockToken"].IsString())
                    throw Error(ErrorKind::network,
                                "EBS listed a block without BlockIndex or BlockToken for " + snapshot_id);
                const uint64_t index = b["BlockIndex"].GetUint64();
                if ((index + 1) * block_size > volume_size)
                    throw Error(ErrorKind::network,
                                "EBS listed block " + std::to_string(index) + " beyond the end of the " +
                                    std::to_string(volume_size) + "-byte volume of " + snapshot_id);
                out.blocks.push_back({index, b["BlockToken"].GetString()});
            }
        }
        token = doc.HasMember("NextToken") && doc["NextToken"].IsString() ? doc["NextToken"].GetString() : "";
        if (token.empty()) {
            std::sort(out.blocks.begin(), out.blocks.end(),
                      [](const auto& a, const auto& b) { return a.index < b.index; });
            for (size_t i = 1; i < out.blocks.size(); ++i)
                if (out.blocks[i].index == out.blocks[i - 1].index)
                    throw Error(ErrorKind::network, "EBS listed block " +
                                                        std::to_string(out.blocks[i].index) + " twice for " +
                                                        snapshot_id);
            return out;
        }
    }
    throw Error(ErrorKind::network, "ListSnapshotBlocks did not stop paging for " + snapshot_id);
}

http::RangedDownloadResult Ebs::download(const std::string& snapshot_id, const SnapshotBlocks& blocks,
                                         http::Sink& sink, const BlockDownloadOptions& options) {
    std::vector<http::Extent> data;
    std::unordered_map<uint64_t, const std::string*> tokens;
    data.reserve(blocks.blocks.size());
    for (const auto& b : blocks.blocks) {
        data.push_back({b.index * blocks.block_size, blocks.block_size, true});
        tokens.emplace(b.index, &b.token);
    }
    const auto extents = http::extents_from_data_ranges(data, blocks.volume_size_bytes);
    const std::string base = service_.endpoint() + snapshot_path(snapshot_id) + "/";
    // Ranges stay on the block grid (range_size = block size), one GetSnapshotBlock each, signed when built.
    http::RangeRequestFactory factory = [&](const http::RangeSpec& range) {
        const uint64_t index = range.offset / blocks.block_size;
        const auto token = tokens.find(index);
        if (range.offset % blocks.block_size != 0 || range.length != blocks.block_size ||
            token == tokens.end())
            throw Error(ErrorKind::network,
                        "internal: range at " + std::to_string(range.offset) + " is not a listed block");
        http::Request r;
        r.url = base + std::to_string(index) + "?blockToken=" + aws_uri_encode(*token->second);
        r.description = "ebs:GetSnapshotBlock " + snapshot_id + " block " + std::to_string(index);
        service_.sign(r);
        return r;
    };
    http::RangedDownloadOptions o;
    o.workers = std::max(1, options.workers);
    o.range_size = blocks.block_size;
    o.window = o.workers * 2;
    o.check = [](const http::RangeData& d) { return check_block_checksum(d.headers, d.body); };
    o.progress = options.progress;
    o.is_cancelled = options.is_cancelled;
    o.check_total = false;  // a block answer has no Content-Range
    try {
        return http::ranged_download(service_.client(), factory, extents, sink, o);
    } catch (const http::Error& e) {
        if (e.kind() == http::ErrorKind::status)
            throw Error(e.http_status() == 403 ? ErrorKind::permission : ErrorKind::service,
                        std::string(e.what()) + " (ebs:GetSnapshotBlock)");
        throw error_from_transport("ebs:GetSnapshotBlock", e);
    }
}

}  // namespace hypersdk::aws
