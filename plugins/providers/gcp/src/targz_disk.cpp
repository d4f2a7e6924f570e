#include "targz_disk.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "errors.hpp"

namespace hypersdk::gcp {

namespace {

constexpr size_t kBlock = 512;
constexpr uint64_t kMaxPaxHeader = 64 * 1024;
constexpr uint64_t kMaxLongName = 4096;

bool all_zero(const char* data, size_t size) {
    static const char zeros[64 * 1024] = {};
    while (size > 0) {
        const size_t n = std::min(size, sizeof zeros);
        if (std::memcmp(data, zeros, n) != 0) return false;
        data += n;
        size -= n;
    }
    return true;
}

// An octal field (NUL/space padded), or GNU base-256 when the top bit is set.
bool parse_number(const char* field, size_t size, uint64_t& out) {
    out = 0;
    if (static_cast<unsigned char>(field[0]) & 0x80) {
        if (static_cast<unsigned char>(field[0]) != 0x80) return false;  // negative or too big
        for (size_t i = 1; i < size; ++i) {
            if (out >> 56) return false;
            out = (out << 8) | static_cast<unsigned char>(field[i]);
        }
        return true;
    }
    size_t i = 0;
    while (i < size && field[i] == ' ') ++i;
    bool digits = false;
    for (; i < size && field[i] >= '0' && field[i] <= '7'; ++i) {
        if (out >> 60) return false;
        out = out * 8 + static_cast<uint64_t>(field[i] - '0');
        digits = true;
    }
    for (; i < size; ++i)
        if (field[i] != ' ' && field[i] != '\0') return false;
    return digits;
}

std::string field_text(const char* field, size_t size) {
    return std::string(field, strnlen(field, size));
}

}  // namespace

struct TarGzDiskReader::State {
    State(http::Sink& out_sink, std::string what_text, uint64_t skip_bytes)
        : out(out_sink), what(std::move(what_text)), skip(skip_bytes), zeros(out_sink, skip_bytes) {
        std::memset(&z, 0, sizeof z);
        if (inflateInit2(&z, 15 + 16) != Z_OK) throw Error(ErrorKind::archive, "zlib could not start");
    }
    ~State() { inflateEnd(&z); }

    enum class Phase { header, pax, long_name, data, padding, end };

    [[noreturn]] void fail(const std::string& why) const {
        throw Error(ErrorKind::archive,
                    what + " is not a Compute Engine disk export (one disk.raw in a .tar.gz): " + why);
    }

    void take(const char* data, size_t size) {
        while (size > 0) {
            if (phase == Phase::data) {
                const size_t n = static_cast<size_t>(std::min<uint64_t>(size, member_left));
                pass_disk(data, n);
                data += n;
                size -= n;
                member_left -= n;
                if (member_left == 0) {
                    phase = Phase::padding;
                    padding_left = (kBlock - disk_bytes % kBlock) % kBlock;
                    if (padding_left == 0) phase = Phase::end;
                }
                continue;
            }
            if (phase == Phase::padding) {
                const size_t n = static_cast<size_t>(std::min<uint64_t>(size, padding_left));
                data += n;
                size -= n;
                padding_left -= n;
                if (padding_left == 0) phase = Phase::end;
                continue;
            }
            if (phase == Phase::pax || phase == Phase::long_name) {
                const size_t n = static_cast<size_t>(std::min<uint64_t>(size, member_left));
                extended.append(data, n);
                data += n;
                size -= n;
                member_left -= n;
                if (member_left == 0) {
                    padding_left = (kBlock - extended.size() % kBlock) % kBlock;
                    after_padding = phase;
                    phase = Phase::header;
                    if (padding_left > 0) skip_padding_then_header = true;
                    finish_extended(after_padding);
                }
                continue;
            }
            // header or end: whole 512-byte blocks
            if (skip_padding_then_header) {
                const size_t n = static_cast<size_t>(std::min<uint64_t>(size, padding_left));
                data += n;
                size -= n;
                padding_left -= n;
                if (padding_left == 0) skip_padding_then_header = false;
                continue;
            }
            const size_t n = std::min(size, kBlock - block.size());
            block.append(data, n);
            data += n;
            size -= n;
            if (block.size() == kBlock) {
                if (phase == Phase::end)
                    end_block();
                else
                    header_block();
                block.clear();
            }
        }
    }

    void pass_disk(const char* data, size_t n) {
        // Bytes an earlier attempt already delivered are not written again.
        if (disk_bytes_seen < skip) {
            const size_t drop = static_cast<size_t>(std::min<uint64_t>(n, skip - disk_bytes_seen));
            disk_bytes_seen += drop;
            data += drop;
            n -= drop;
        }
        if (n == 0) return;
        zeros.write(data, n);
        disk_bytes_seen += n;
    }

    void end_block() {
        if (!all_zero(block.data(), kBlock)) fail("it holds more than one member after disk.raw");
        ++end_blocks;
    }

    void finish_extended(Phase which) {
        if (which == Phase::long_name) {
            long_name = std::string(extended.c_str());  // NUL-terminated name
        } else {
            // PAX records: "<len> <key>=<value>\n".
            size_t at = 0;
            while (at < extended.size()) {
                const auto space = extended.find(' ', at);
                if (space == std::string::npos) fail("a malformed PAX header");
                uint64_t length = 0;
                try {
                    length = std::stoull(extended.substr(at, space - at));
                } catch (const std::exception&) {
                    fail("a malformed PAX header");
                }
                if (length <= space - at + 1 || at + length > extended.size() ||
                    extended[at + length - 1] != '\n')
                    fail("a malformed PAX header");
                const std::string record = extended.substr(space + 1, at + length - space - 2);
                const auto eq = record.find('=');
                if (eq == std::string::npos) fail("a malformed PAX header");
                const std::string key = record.substr(0, eq), value = record.substr(eq + 1);
                if (key == "path") {
                    long_name = value;
                } else if (key == "size") {
                    uint64_t v = 0;
                    for (char c : value) {
                        if (c < '0' || c > '9' || (v >> 59)) fail("a PAX size that is not a number");
                        v = v * 10 + static_cast<uint64_t>(c - '0');
                    }
                    if (value.empty()) fail("a PAX size that is not a number");
                    pax_size = v;
                } else if (key.rfind("GNU.sparse", 0) == 0) {
                    fail("disk.raw is a GNU sparse member, which is not supported");
                }
                at += length;
            }
        }
        extended.clear();
    }

    void header_block() {
        const char* h = block.data();
        if (all_zero(h, kBlock)) fail(have_disk ? "a second header" : "it ends before disk.raw");
        uint64_t stored = 0;
        if (!parse_number(h + 148, 8, stored)) fail("a header without a valid checksum");
        uint64_t sum = 0;
        int64_t signed_sum = 0;
        for (size_t i = 0; i < kBlock; ++i) {
            const char c = (i >= 148 && i < 156) ? ' ' : h[i];
            sum += static_cast<unsigned char>(c);
            signed_sum += static_cast<signed char>(c);
        }
        if (stored != sum && static_cast<int64_t>(stored) != signed_sum)
            fail("a header with a wrong checksum");
        const bool ustar = std::memcmp(h + 257, "ustar", 5) == 0;
        uint64_t size = 0;
        if (!parse_number(h + 124, 12, size)) fail("a header with an invalid size");
        const char type = h[156];
        if (type == 'x' || type == 'L') {
            if (have_disk || headers_before_disk++ > 4) fail("more than one member");
            if (size > (type == 'x' ? kMaxPaxHeader : kMaxLongName))
                fail("an extended header that is too large");
            member_left = size;
            phase = type == 'x' ? Phase::pax : Phase::long_name;
            if (size == 0) {
                phase = Phase::header;
                finish_extended(type == 'x' ? Phase::pax : Phase::long_name);
            }
            return;
        }
        if (type == 'g') fail("a PAX global header");
        if (type == 'S') fail("disk.raw is a GNU sparse member, which is not supported");
        if (type != '0' && type != '\0')
            fail(std::string("a member of type '") + type + "' (only a regular disk.raw is accepted)");
        std::string name = field_text(h, 100);
        if (ustar && h[345] != '\0') name = field_text(h + 345, 155) + "/" + name;
        if (!long_name.empty()) name = long_name;
        if (name != "disk.raw")
            fail("a member named \"" + name.substr(0, 200) + "\" (only disk.raw is accepted)");
        if (pax_size) size = *pax_size;
        have_disk = true;
        disk_bytes = size;
        member_left = size;
        if (skip > size)
            fail("disk.raw is smaller than the " + std::to_string(skip) + " bytes already downloaded");
        phase = size == 0 ? Phase::end : Phase::data;
    }

    http::Sink& out;
    std::string what;
    uint64_t skip;
    ZeroRunSink zeros;
    z_stream z;
    bool stream_end = false;
    uint64_t compressed = 0;

    Phase phase = Phase::header;
    Phase after_padding = Phase::header;
    bool skip_padding_then_header = false;
    std::string block;
    std::string extended;
    std::string long_name;
    std::optional<uint64_t> pax_size;
    int headers_before_disk = 0;
    bool have_disk = false;
    uint64_t disk_bytes = 0;
    uint64_t disk_bytes_seen = 0;
    uint64_t member_left = 0;
    uint64_t padding_left = 0;
    int end_blocks = 0;
};

TarGzDiskReader::TarGzDiskReader(http::Sink& out, std::string what, uint64_t skip)
    : s_(std::make_unique<State>(out, std::move(what), skip)) {}

TarGzDiskReader::~TarGzDiskReader() = default;

void TarGzDiskReader::feed(const char* data, size_t size) {
    State& s = *s_;
    s.compressed += size;
    char out[256 * 1024];
    s.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    s.z.avail_in = static_cast<uInt>(size);
    while (s.z.avail_in > 0) {
        if (s.stream_end) {
            // Concatenated gzip members are one stream (RFC 1952 §2.2); trailing zeros are not.
            if (all_zero(reinterpret_cast<const char*>(s.z.next_in), s.z.avail_in)) return;
            if (inflateReset(&s.z) != Z_OK) s.fail("zlib could not continue");
            s.stream_end = false;
        }
        s.z.next_out = reinterpret_cast<Bytef*>(out);
        s.z.avail_out = sizeof out;
        const int rc = inflate(&s.z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            s.fail(std::string("the gzip data is corrupt (") + (s.z.msg ? s.z.msg : "zlib error") + ")");
        s.take(out, sizeof out - s.z.avail_out);
        if (rc == Z_STREAM_END) s.stream_end = true;
        if (rc == Z_BUF_ERROR && s.z.avail_out != 0) break;
    }
    // Output still buffered inside zlib.
    for (int i = 0; i < 1 << 20 && !s.stream_end; ++i) {
        s.z.next_out = reinterpret_cast<Bytef*>(out);
        s.z.avail_out = sizeof out;
        const int rc = inflate(&s.z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            s.fail(std::string("the gzip data is corrupt (") + (s.z.msg ? s.z.msg : "zlib error") + ")");
        const size_t produced = sizeof out - s.z.avail_out;
        s.take(out, produced);
        if (rc == Z_STREAM_END) s.stream_end = true;
        if (produced == 0) break;
    }
}

void TarGzDiskReader::finish() {
    State& s = *s_;
    if (!s.have_disk) s.fail("it ended before disk.raw's header (truncated?)");
    if (s.phase == State::Phase::data || s.phase == State::Phase::padding)
        s.fail("it is truncated: disk.raw ended after " + std::to_string(s.disk_bytes - s.member_left) +
               " of " + std::to_string(s.disk_bytes) + " bytes");
    if (s.end_blocks == 0) s.fail("it is truncated: no end-of-archive block after disk.raw");
    if (!s.stream_end) s.fail("the gzip stream is truncated (no end of stream)");
    s.zeros.flush();
}

bool TarGzDiskReader::size_known() const {
    return s_->have_disk;
}
uint64_t TarGzDiskReader::disk_size() const {
    return s_->disk_bytes;
}
uint64_t TarGzDiskReader::disk_written() const {
    return s_->disk_bytes_seen;
}
uint64_t TarGzDiskReader::compressed() const {
    return s_->compressed;
}

TarGzDiskSink::TarGzDiskSink(http::Sink& out, std::string what)
    : out_(out),
      what_(std::move(what)),
      reader_(std::make_unique<TarGzDiskReader>(out, what_, out.offset())) {}

void TarGzDiskSink::write_zeros(uint64_t) {
    throw Error(ErrorKind::protocol, "internal: a compressed archive has no holes to skip");
}

void TarGzDiskSink::rewind() {
    out_.rewind();
    reader_ = std::make_unique<TarGzDiskReader>(out_, what_, 0);
}

ZeroRunSink::ZeroRunSink(http::Sink& out, uint64_t start, size_t block)
    : out_(out), position_(start), block_(block) {}

void ZeroRunSink::emit(const char* data, size_t size) {
    if (all_zero(data, size))
        out_.write_zeros(size);
    else
        out_.write(data, size);
    position_ += size;
}

void ZeroRunSink::write(const char* data, size_t size) {
    while (size > 0) {
        // Up to the next block boundary (positions counted from the disk's byte 0).
        const size_t want = block_ - static_cast<size_t>((position_ + staged_.size()) % block_);
        if (staged_.empty() && size >= want) {
            emit(data, want);
            data += want;
            size -= want;
            continue;
        }
        const size_t n = std::min(size, want);
        staged_.append(data, n);
        data += n;
        size -= n;
        if (n == want) {
            const std::string block = std::move(staged_);
            staged_.clear();
            emit(block.data(), block.size());
        }
    }
}

void ZeroRunSink::flush() {
    if (staged_.empty()) return;
    const std::string block = std::move(staged_);
    staged_.clear();
    emit(block.data(), block.size());
}

}  // namespace hypersdk::gcp
