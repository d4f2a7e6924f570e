// write_ova / ova_member_headers: archives checked by GNU tar and Python's
// tarfile, the pax path for >8 GiB members, cancel and error cleanup.
#include "hypersdk/core/ova_archive.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using hypersdk::core::ova_member_headers;
using hypersdk::core::OvaCancelled;
using hypersdk::core::OvaMember;
using hypersdk::core::OvaPackOptions;
using hypersdk::core::write_ova;

namespace {

class OvaArchive : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("ova-test-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "src");
        write_file("src/vm.ovf", "<?xml version=\"1.0\"?>\n<Envelope/>\n");
        std::string big(3 * 1024 * 1024 + 77, '\0');  // not a multiple of 512, spans buffers
        for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 31 + i / 4096) & 0xff);
        write_file("src/disk1.vmdk", big);
        write_file("src/empty.vmdk", "");
        write_file("src/odd.bin", std::string(1000, 'x'));
    }
    void TearDown() override { fs::remove_all(dir_); }

    void write_file(const std::string& rel, const std::string& data) {
        std::ofstream f(dir_ / rel, std::ios::binary);
        f.write(data.data(), static_cast<std::streamsize>(data.size()));
    }
    std::string read_file(const fs::path& p) {
        std::ifstream f(p, std::ios::binary);
        std::ostringstream s;
        s << f.rdbuf();
        return s.str();
    }
    std::vector<OvaMember> members() {
        return {{dir_ / "src/vm.ovf", "vm.ovf"},
                {dir_ / "src/disk1.vmdk", "disk1.vmdk"},
                {dir_ / "src/empty.vmdk", "empty.vmdk"},
                {dir_ / "src/odd.bin", "odd.bin"}};
    }
    // Output of a shell command, and its exit status.
    static std::string run(const std::string& cmd, int& status) {
        std::string out;
        FILE* p = ::popen(cmd.c_str(), "r");
        if (!p) return out;
        std::array<char, 4096> buf{};
        size_t n;
        while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
        status = ::pclose(p);
        return out;
    }
    void expect_no_output(const fs::path& out) {
        EXPECT_FALSE(fs::exists(out));
        EXPECT_FALSE(fs::exists(out.string() + ".part"));
    }
    static void expect_throws_with(const std::function<void()>& f, const std::string& needle) {
        try {
            f();
            ADD_FAILURE() << "no exception, expected one mentioning " << needle;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    }

    fs::path dir_;
};

TEST_F(OvaArchive, GnuTarListsMembersInOrderWithSizes) {
    const fs::path out = dir_ / "vm.ova";
    uint64_t last_done = 0, last_total = 0;
    OvaPackOptions opts;
    opts.progress = [&](uint64_t done, uint64_t total) {
        EXPECT_GE(done, last_done);
        last_done = done;
        last_total = total;
    };
    write_ova(out, members(), opts);
    ASSERT_TRUE(fs::exists(out));
    EXPECT_FALSE(fs::exists(out.string() + ".part"));
    const uint64_t expected_total = fs::file_size(dir_ / "src/vm.ovf") + 3 * 1024 * 1024 + 77 + 1000;
    EXPECT_EQ(last_total, expected_total);
    EXPECT_EQ(last_done, expected_total);
    EXPECT_EQ(fs::file_size(out) % 512, 0u);

    int status = -1;
    std::string listing = run("tar -tvf '" + out.string() + "' 2>&1", status);
    ASSERT_EQ(status, 0) << listing;
    std::istringstream lines(listing);
    std::vector<std::pair<std::string, uint64_t>> got;
    std::string line;
    while (std::getline(lines, line)) {
        // "-rw------- root/root 1000 2026-11-22 05:00 odd.bin": private like the archive
        std::istringstream f(line);
        std::string perms, owner, date, time, name;
        uint64_t size = 0;
        f >> perms >> owner >> size >> date >> time >> name;
        EXPECT_EQ(perms, "-rw-------") << line;
        got.emplace_back(name, size);
    }
    std::vector<std::pair<std::string, uint64_t>> want = {{"vm.ovf", fs::file_size(dir_ / "src/vm.ovf")},
                                                          {"disk1.vmdk", 3 * 1024 * 1024 + 77},
                                                          {"empty.vmdk", 0},
                                                          {"odd.bin", 1000}};
    EXPECT_EQ(got, want) << listing;
}

TEST_F(OvaArchive, PythonTarfileExtractsIdenticalBytes) {
    const fs::path out = dir_ / "vm.ova";
    write_ova(out, members());
    const fs::path x = dir_ / "x";
    fs::create_directories(x);
    int status = -1;
    std::string py =
        run("python3 -c 'import sys, tarfile\n"
            "with tarfile.open(sys.argv[1], \"r:\") as t:\n"
            "    print(\",\".join(m.name for m in t.getmembers()))\n"
            "    assert all(m.isreg() for m in t.getmembers())\n"
            "    t.extractall(sys.argv[2])\n' '" +
                out.string() + "' '" + x.string() + "' 2>&1",
            status);
    ASSERT_EQ(status, 0) << py;
    EXPECT_EQ(py, "vm.ovf,disk1.vmdk,empty.vmdk,odd.bin\n");
    for (const auto& m : members())
        EXPECT_EQ(read_file(x / m.name_in_archive), read_file(m.path)) << m.name_in_archive;
}

TEST_F(OvaArchive, UstarHeaderFieldsAndChecksum) {
    std::string h = ova_member_headers("disk.vmdk", 1000, 1700000000);
    ASSERT_EQ(h.size(), 512u);
    EXPECT_EQ(h.substr(257, 6), std::string("ustar\0", 6));
    EXPECT_EQ(h.substr(263, 2), "00");
    EXPECT_EQ(h[156], '0');
    EXPECT_EQ(h.substr(100, 8), std::string("0000600\0", 8));
    EXPECT_EQ(ova_member_headers("disk.vmdk", 1000, 0, 0640).substr(100, 8), std::string("0000640\0", 8));
    EXPECT_EQ(std::stoull(h.substr(124, 11), nullptr, 8), 1000u);
    EXPECT_EQ(std::stoll(h.substr(136, 11), nullptr, 8), 1700000000);
    // 11 octal digits is the ustar limit: 8 GiB - 1 still fits without pax.
    EXPECT_EQ(ova_member_headers("big", (uint64_t{1} << 33) - 1, 0).size(), 512u);
    EXPECT_EQ(ova_member_headers("old", 0, -5).substr(136, 12), std::string("00000000000\0", 12));
}

// Sum of header bytes with the chksum field as spaces, per POSIX.
uint64_t header_sum(std::string h) {
    for (int i = 148; i < 156; ++i) h[i] = ' ';
    uint64_t s = 0;
    for (unsigned char c : h) s += c;
    return s;
}

TEST_F(OvaArchive, PaxHeaderForMembersOver8GiB) {
    const uint64_t size = 9ull << 30;  // 9663676416
    std::string h = ova_member_headers("disk1.vmdk", size, 1700000000);
    ASSERT_EQ(h.size(), 3u * 512);  // pax header, one block of records, ustar header
    const std::string pax = h.substr(0, 512);
    EXPECT_EQ(pax[156], 'x');
    EXPECT_EQ(pax.substr(0, 22), std::string("PaxHeaders/disk1.vmdk\0", 22));
    const std::string record = "19 size=9663676416\n";  // 2 + 1 + 4 + 1 + 10 + 1 = 19, self-inclusive
    EXPECT_EQ(std::stoull(pax.substr(124, 11), nullptr, 8), record.size());
    EXPECT_EQ(h.substr(512, record.size()), record);
    EXPECT_EQ(h.substr(512 + record.size(), 512 - record.size()), std::string(512 - record.size(), '\0'));
    const std::string ustar = h.substr(1024, 512);
    EXPECT_EQ(ustar[156], '0');
    EXPECT_EQ(ustar.substr(0, 11), std::string("disk1.vmdk\0", 11));
    for (const std::string& blk : {pax, ustar}) {
        EXPECT_EQ(std::stoull(blk.substr(148, 6), nullptr, 8), header_sum(blk));
        EXPECT_EQ(blk[154], '\0');
        EXPECT_EQ(blk[155], ' ');
    }

    // The length prefix grows a digit when it must: 8 GiB + 513 and a value
    // whose record is exactly at the 9/10 or 99/100 boundary are all self-consistent.
    for (uint64_t s : {(8ull << 30) + 513, 99999999999999ull, ~0ull}) {
        std::string hh = ova_member_headers("a", s, 0);
        std::string rec = hh.substr(512, hh.find('\n', 512) - 512 + 1);
        EXPECT_EQ(std::stoull(rec.substr(0, rec.find(' '))), rec.size()) << rec;
        EXPECT_EQ(rec.substr(rec.find(' ') + 1), "size=" + std::to_string(s) + "\n");
    }

    // Python's tarfile reads the pax size from these headers (data stands in
    // as nothing: it only parses the header, so the missing data is fine).
    const fs::path f = dir_ / "hdr.tar";
    {
        std::ofstream o(f, std::ios::binary);
        o.write(h.data(), static_cast<std::streamsize>(h.size()));
    }
    int status = -1;
    std::string py =
        run("python3 -c 'import sys, tarfile\n"
            "t = tarfile.open(sys.argv[1], \"r|\")\n"
            "m = t.next()\n"
            "print(m.name, m.size, m.mtime)\n' '" +
                f.string() + "' 2>&1",
            status);
    ASSERT_EQ(status, 0) << py;
    EXPECT_EQ(py, "disk1.vmdk 9663676416 1700000000\n");
}

// A whole >8 GiB archive, sparse so it costs no disk space: headers from
// ova_member_headers, data that is holes except its last bytes. GNU tar and
// tarfile seek over the data, so both must find the member's true size.
TEST_F(OvaArchive, SparseArchiveOver8GiBReadByTarAndPython) {
    const uint64_t size = (8ull << 30) + 513;
    const std::string h = ova_member_headers("disk1.vmdk", size, 1700000000);
    const fs::path f = dir_ / "big.ova";
    {
        std::ofstream o(f, std::ios::binary);
        o.write(h.data(), static_cast<std::streamsize>(h.size()));
        o.seekp(static_cast<std::streamoff>(h.size() + size - 4));
        o.write("tail", 4);
    }
    fs::resize_file(f, h.size() + (size + 511) / 512 * 512 + 1024);
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0);
    if (static_cast<uint64_t>(st.st_blocks) * 512 > (64u << 20)) {
        fs::remove(f);
        GTEST_SKIP() << "temp file system does not keep sparse files";
    }
    int status = -1;
    std::string listing = run("tar -tvf '" + f.string() + "' 2>&1", status);
    ASSERT_EQ(status, 0) << listing;
    EXPECT_NE(listing.find(" 8589935105 "), std::string::npos) << listing;
    EXPECT_NE(listing.find("disk1.vmdk\n"), std::string::npos) << listing;
    std::string py =
        run("python3 -c 'import sys, tarfile\n"
            "with tarfile.open(sys.argv[1], \"r:\") as t:\n"
            "    ms = t.getmembers()\n"
            "    x = t.extractfile(ms[0]); x.seek(ms[0].size - 4)\n"
            "    print(len(ms), ms[0].name, ms[0].size, x.read().decode())\n' '" +
                f.string() + "' 2>&1",
            status);
    ASSERT_EQ(status, 0) << py;
    EXPECT_EQ(py, "1 disk1.vmdk 8589935105 tail\n");
}

TEST_F(OvaArchive, CancelMidwayLeavesNothing) {
    const fs::path out = dir_ / "vm.ova";
    int polls = 0;
    OvaPackOptions opts;
    opts.cancelled = [&] { return ++polls > 3; };  // after the OVF, inside the disk
    EXPECT_THROW(write_ova(out, members(), opts), OvaCancelled);
    EXPECT_GT(polls, 3);
    expect_no_output(out);
}

TEST_F(OvaArchive, MissingMemberNamedAndNoOutput) {
    const fs::path out = dir_ / "vm.ova";
    auto m = members();
    m[2].path = dir_ / "src/nope.vmdk";
    expect_throws_with([&] { write_ova(out, m); }, "nope.vmdk");
    expect_no_output(out);
}

TEST_F(OvaArchive, UnwritableOutputNamedWithStrerror) {
    const fs::path out = dir_ / "no-such-dir" / "vm.ova";
    expect_throws_with([&] { write_ova(out, members()); },
                       "no-such-dir/vm.ova.part: No such file or directory");
    expect_no_output(out);
}

TEST_F(OvaArchive, MemberThatIsADirectoryRefused) {
    const fs::path out = dir_ / "vm.ova";
    auto m = members();
    m[1].path = dir_ / "src";
    expect_throws_with([&] { write_ova(out, m); }, "not a regular file");
    expect_no_output(out);
}

TEST_F(OvaArchive, FirstMemberMustBeOvf) {
    const fs::path out = dir_ / "vm.ova";
    auto m = members();
    std::swap(m[0], m[1]);
    expect_throws_with([&] { write_ova(out, m); }, "disk1.vmdk");
    expect_no_output(out);
    expect_throws_with([&] { write_ova(out, {}); }, "no members");
    expect_no_output(out);
}

TEST_F(OvaArchive, BadNamesRefused) {
    const fs::path out = dir_ / "vm.ova";
    for (const std::string& bad :
         {std::string(""), std::string("a/b.vmdk"), std::string(".."), std::string("d\xc3\xa9.vmdk"),
          std::string(101, 'n'), std::string("tab\there")}) {
        auto m = members();
        m[1].name_in_archive = bad;
        EXPECT_THROW(write_ova(out, m), std::runtime_error) << bad;
        expect_no_output(out);
        EXPECT_THROW(ova_member_headers(bad, 1, 0), std::runtime_error) << bad;
    }
    auto m = members();
    m[3].name_in_archive = "disk1.vmdk";
    expect_throws_with([&] { write_ova(out, m); }, "duplicate");
    expect_no_output(out);
    // 100 bytes exactly is allowed.
    m[3].name_in_archive = std::string(96, 'n') + ".bin";
    EXPECT_NO_THROW(write_ova(out, m));
    EXPECT_TRUE(fs::exists(out));
}

}  // namespace
