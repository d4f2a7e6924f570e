#include "hypersdk/core/ova_archive.hpp"

#include <hypersdk/files/directory.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <system_error>

namespace hypersdk::core {

namespace {

constexpr size_t kBlock = 512;
constexpr size_t kBufferBytes = 4u << 20;
// Largest value an 11-digit octal field holds: 8 GiB - 1.
constexpr uint64_t kMaxUstarSize = (uint64_t{1} << 33) - 1;

std::string errno_text(int err) {
    return std::system_category().message(err);
}

[[noreturn]] void fail_io(const std::string& what, const std::filesystem::path& path, int err) {
    throw std::runtime_error("ova: " + what + " " + path.string() + ": " + errno_text(err));
}

// Writes `value` as zero-padded octal filling width-1 digits plus a NUL.
void put_octal(char* field, size_t width, uint64_t value) {
    for (size_t i = width - 1; i-- > 0;) {
        field[i] = static_cast<char>('0' + (value & 7));
        value >>= 3;
    }
    field[width - 1] = '\0';
}

// One ustar header block. Field offsets per POSIX pax "ustar Interchange Format".
std::string ustar_header(const std::string& name, uint64_t size, int64_t mtime, char typeflag, mode_t mode) {
    std::string h(kBlock, '\0');
    char* b = h.data();
    std::memcpy(b + 0, name.data(), std::min(name.size(), size_t{100}));
    put_octal(b + 100, 8, mode & 07777);
    put_octal(b + 108, 8, 0);      // uid
    put_octal(b + 116, 8, 0);      // gid
    put_octal(b + 124, 12, size);  // size (caller keeps it <= kMaxUstarSize)
    // mtime clamped to what 11 octal digits hold (before 1970 -> 0).
    put_octal(b + 136, 12, std::min(static_cast<uint64_t>(std::max<int64_t>(mtime, 0)), kMaxUstarSize));
    b[156] = typeflag;
    std::memcpy(b + 257, "ustar", 6);  // magic "ustar\0"
    std::memcpy(b + 263, "00", 2);     // version, no NUL
    std::memcpy(b + 265, "root", 4);   // uname
    std::memcpy(b + 297, "root", 4);   // gname
    // Checksum: unsigned byte sum with the field itself counted as spaces,
    // written as six octal digits, NUL, space (what GNU tar writes).
    std::memset(b + 148, ' ', 8);
    uint64_t sum = 0;
    for (unsigned char c : h) sum += c;
    put_octal(b + 148, 7, sum);
    b[155] = ' ';
    return h;
}

// A pax record is "<len> <key>=<value>\n" where <len> counts its own digits.
std::string pax_record(const std::string& key, const std::string& value) {
    const size_t rest = 1 + key.size() + 1 + value.size() + 1;  // ' ' key '=' value '\n'
    size_t len = rest + 1;
    while (std::to_string(len).size() + rest != len) len = std::to_string(len).size() + rest;
    return std::to_string(len) + " " + key + "=" + value + "\n";
}

void pad_to_block(std::string& s) {
    s.append((kBlock - s.size() % kBlock) % kBlock, '\0');
}

void write_all(int fd, const char* data, size_t n, const std::filesystem::path& path) {
    while (n > 0) {
        ssize_t w = ::write(fd, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail_io("cannot write", path, errno);
        }
        data += w;
        n -= static_cast<size_t>(w);
    }
}

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

OvaCancelled::OvaCancelled() : std::runtime_error("ova: packing cancelled") {}

std::string check_ova_member_name(const std::string& name) {
    if (name.empty()) return "ova: empty member name";
    if (name.size() > 100) return "ova: member name longer than 100 bytes: " + name;
    if (name == "." || name == "..") return "ova: bad member name: " + name;
    for (unsigned char c : name) {
        if (c == '/') return "ova: member name contains '/': " + name;
        if (c < 0x20 || c > 0x7e) return "ova: member name is not printable ASCII: " + name;
    }
    return {};
}

std::string ova_member_headers(const std::string& name, uint64_t size, int64_t mtime, mode_t mode) {
    if (std::string err = check_ova_member_name(name); !err.empty()) throw std::runtime_error(err);
    if (size <= kMaxUstarSize) return ustar_header(name, size, mtime, '0', mode);
    // Too big for ustar: a pax 'x' header carries the size and the ustar
    // size field holds 0 (POSIX lets readers take the pax value).
    std::string records = pax_record("size", std::to_string(size));
    std::string out = ustar_header(("PaxHeaders/" + name).substr(0, 100), records.size(), mtime, 'x', mode);
    out += records;
    pad_to_block(out);
    out += ustar_header(name, 0, mtime, '0', mode);
    return out;
}

void write_ova(const std::filesystem::path& out, const std::vector<OvaMember>& members,
               const OvaPackOptions& options) {
    if (members.empty()) throw std::runtime_error("ova: no members for " + out.string());
    const std::string& first = members[0].name_in_archive;
    if (first.size() < 4 || first.compare(first.size() - 4, 4, ".ovf") != 0)
        throw std::runtime_error("ova: first member must be the .ovf descriptor, got: " + first);

    // Check every input before creating anything, so a bad one leaves no file.
    struct Input {
        uint64_t size;
        int64_t mtime;
    };
    std::vector<Input> inputs;
    std::set<std::string> names;
    uint64_t total = 0;
    for (const auto& m : members) {
        if (std::string err = check_ova_member_name(m.name_in_archive); !err.empty())
            throw std::runtime_error(err);
        if (!names.insert(m.name_in_archive).second)
            throw std::runtime_error("ova: duplicate member name: " + m.name_in_archive);
        struct stat st {};
        if (::stat(m.path.c_str(), &st) != 0) fail_io("cannot stat member", m.path, errno);
        if (!S_ISREG(st.st_mode))
            throw std::runtime_error("ova: member is not a regular file: " + m.path.string());
        inputs.push_back({static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtim.tv_sec)});
        total += static_cast<uint64_t>(st.st_size);
    }

    const std::filesystem::path part = out.string() + ".part";
    const std::string out_name = out.filename().string();
    const std::string part_name = part.filename().string();
    std::unique_ptr<files::Directory> dir;
    Fd outfd;
    try {
        dir = std::make_unique<files::Directory>(out.parent_path().empty() ? "." : out.parent_path());
        dir->remove(part_name);  // a stale one, or a planted symlink (removed, never followed)
        outfd.fd = dir->create(part_name, options.file_mode, O_WRONLY).release();
    } catch (const files::Error& e) {
        fail_io("cannot create", part, e.code().value());
    }

    try {
        auto is_cancelled = [&] { return options.cancelled && options.cancelled(); };
        auto buffer = std::make_unique<char[]>(kBufferBytes);
        uint64_t done = 0;
        if (options.progress) options.progress(0, total);
        for (size_t i = 0; i < members.size(); ++i) {
            if (is_cancelled()) throw OvaCancelled();
            const auto& m = members[i];
            std::string headers =
                ova_member_headers(m.name_in_archive, inputs[i].size, inputs[i].mtime, options.file_mode);
            write_all(outfd.fd, headers.data(), headers.size(), part);

            Fd in;
            in.fd = ::open(m.path.c_str(), O_RDONLY | O_CLOEXEC);
            if (in.fd < 0) fail_io("cannot open member", m.path, errno);
            uint64_t left = inputs[i].size;
            while (left > 0) {
                if (is_cancelled()) throw OvaCancelled();
                ssize_t r =
                    ::read(in.fd, buffer.get(), static_cast<size_t>(std::min<uint64_t>(left, kBufferBytes)));
                if (r < 0) {
                    if (errno == EINTR) continue;
                    fail_io("cannot read member", m.path, errno);
                }
                // The header already promised st_size bytes; a shrinking file would corrupt the archive.
                if (r == 0) throw std::runtime_error("ova: member shrank while packing: " + m.path.string());
                write_all(outfd.fd, buffer.get(), static_cast<size_t>(r), part);
                left -= static_cast<uint64_t>(r);
                done += static_cast<uint64_t>(r);
                if (options.progress) options.progress(done, total);
            }
            static const char zeros[kBlock] = {};
            size_t pad = (kBlock - inputs[i].size % kBlock) % kBlock;
            write_all(outfd.fd, zeros, pad, part);
        }
        // End of archive: two zero blocks.
        static const char end[2 * kBlock] = {};
        write_all(outfd.fd, end, sizeof end, part);
        if (::fsync(outfd.fd) != 0) fail_io("cannot fsync", part, errno);
        int fd = outfd.fd;
        outfd.fd = -1;
        if (::close(fd) != 0) fail_io("cannot close", part, errno);
        if (is_cancelled()) throw OvaCancelled();
        try {
            dir->rename(part_name, out_name);
        } catch (const files::Error& e) {
            throw std::runtime_error(std::string("ova: ") + e.what());
        }
    } catch (...) {
        if (outfd.fd >= 0) {
            ::close(outfd.fd);
            outfd.fd = -1;
        }
        try {
            dir->remove(part_name);
        } catch (const files::Error&) {
        }
        throw;
    }

    // Make the rename durable; the archive itself is already complete.
    try {
        dir->sync();
    } catch (const files::Error&) {
    }
}

}  // namespace hypersdk::core
