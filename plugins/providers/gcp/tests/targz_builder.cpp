#include "targz_builder.hpp"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace hypersdk::gcp::test {

std::string tar_header(const TarMember& m, uint64_t size) {
    std::string h(512, '\0');
    std::memcpy(h.data(), m.name.data(), std::min<size_t>(m.name.size(), 100));
    std::snprintf(h.data() + 100, 8, "%07o", 0600);
    std::snprintf(h.data() + 108, 8, "%07o", 0);
    std::snprintf(h.data() + 116, 8, "%07o", 0);
    if (m.base256_size) {
        h[124] = static_cast<char>(0x80);
        for (int i = 0; i < 8; ++i) h[135 - i] = static_cast<char>((size >> (8 * i)) & 0xff);
    } else {
        std::snprintf(h.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
    }
    std::snprintf(h.data() + 136, 12, "%011o", 0);
    h[156] = m.type;
    std::memcpy(h.data() + 257,
                "ustar\0"
                "00",
                8);
    std::memset(h.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    if (m.corrupt_checksum) sum += 1;
    std::snprintf(h.data() + 148, 8, "%06o", sum);
    h[155] = ' ';
    return h;
}

namespace {
void pad(std::string& out) {
    out.append((512 - out.size() % 512) % 512, '\0');
}
}  // namespace

std::string make_tar(const std::initializer_list<TarMember>& members) {
    std::string out;
    for (const auto& m : members) {
        if (m.pax_size) {
            const std::string record_tail = " size=" + std::to_string(m.data.size()) + "\n";
            std::string record = std::to_string(record_tail.size() + 2) + record_tail;
            if (record.size() != record_tail.size() + 2)
                record = std::to_string(record_tail.size() + 3) + record_tail;
            TarMember pax;
            pax.name = "PaxHeaders/disk.raw";
            pax.type = 'x';
            out += tar_header(pax, record.size());
            out += record;
            pad(out);
            out += tar_header(m, 0);
        } else {
            out += tar_header(m, m.data.size());
        }
        out += m.data;
        pad(out);
    }
    out.append(1024, '\0');
    return out;
}

std::string gzip(const std::string& data, int level) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2");
    std::string out(deflateBound(&z, data.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

}  // namespace hypersdk::gcp::test
