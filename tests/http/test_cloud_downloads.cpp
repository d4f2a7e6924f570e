// The transport against the real peers the cloud providers will download
// from: an object put into s3rver and a page blob put into Azurite by the
// vendors' own SDKs (tests/peers/fixtures), fetched here with parallel
// ranged GETs; Azurite's Get Page Ranges (read through the transport with
// the SAS the Azure SDK made) gives the holes, which land as holes.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <hypersdk/http/ranged_download.hpp>

#include <pugixml.hpp>

#include "fault_server.hpp"  // sha256_hex
#include "http_test_support.hpp"
#include "known_peers.hpp"
#include "temp_dir.hpp"

using namespace hypersdk::http;
using hypersdk::test::NodePeer;

namespace {

// The fixture script's JSON line.
rapidjson::Document run_fixture(const std::string& script, const std::vector<std::string>& args,
                                const NodePeer& peer) {
    const auto r = hypersdk::test::run_node_script(hypersdk::test::peer_scripts_dir() / "fixtures" / script,
                                                   args, peer.ca_file());
    rapidjson::Document doc;
    if (r.exit_code != 0) {
        ADD_FAILURE() << script << " failed:\n" << r.err << r.out;
        return doc;
    }
    doc.Parse(r.out.substr(r.out.rfind('{')).c_str());
    EXPECT_TRUE(doc.IsObject()) << r.out;
    return doc;
}

std::string base64_md5(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
    unsigned char out[64];
    const int n = EVP_EncodeBlock(out, digest, static_cast<int>(len));
    return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

ClientOptions client_for(const NodePeer& peer, hypersdk::test::LogCapture& log) {
    ClientOptions o;
    o.tls.ca_file = peer.ca_file();
    o.log = log.fn();
    return o;
}

}  // namespace

TEST(CloudDownloads, S3rverObjectByParallelRanges) {
    NodePeer peer(hypersdk::test::s3rver_peer());
    const auto object =
        run_fixture("s3_object.cjs", {peer.base_url(), "exports", "vm-1/disk-0.vmdk", "23068689", "5"}, peer);
    ASSERT_TRUE(object.IsObject());
    const uint64_t size = object["size"].GetUint64();
    hypersdk::test::LogCapture log;
    Client client(client_for(peer, log));
    hypersdk::test::TempDir dir;
    hypersdk::test::PartFileSink sink(dir / "disk-0.vmdk");
    RangedDownloadOptions o;
    o.workers = 4;
    o.range_size = 4u << 20;
    // s3rver wants x-amz-content-sha256 on every request (it checks no signature).
    const auto r = ranged_download(
        client,
        range_request_factory(object["url"].GetString(), {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}}),
        whole_object(size), sink, o);
    sink.commit();
    EXPECT_EQ(r.size, size);
    EXPECT_EQ(r.ranges, 6);  // 22 MiB + 1 byte in 4 MiB ranges
    EXPECT_EQ(hypersdk::test::sha256_hex(hypersdk::test::read_file(dir / "disk-0.vmdk")),
              object["sha256"].GetString());
}

TEST(CloudDownloads, AzuritePageBlobHolesFromPageRanges) {
    NodePeer peer(hypersdk::test::azurite_peer());
    const auto blob =
        run_fixture("azure_page_blob.cjs", {peer.base_url(), std::to_string(64u << 20), "9"}, peer);
    ASSERT_TRUE(blob.IsObject());
    const std::string sas_url = blob["sas_url"].GetString();
    const uint64_t size = blob["size"].GetUint64();
    hypersdk::test::LogCapture log;
    Client client(client_for(peer, log));
    const Headers version = {{"x-ms-version", "2025-11-05"}};

    // Get Page Ranges with the SAS: the data ranges; everything else is a hole.
    Request list;
    list.url = sas_url + "&comp=pagelist";
    list.headers = version;
    const Response pages = client.send(list);
    Client::check_status(list, pages);
    pugi::xml_document xml;
    ASSERT_TRUE(xml.load_string(pages.body.c_str())) << pages.body;
    std::vector<Extent> data;
    for (auto range : xml.child("PageList").children("PageRange")) {
        const uint64_t start = range.child("Start").text().as_ullong();
        const uint64_t end = range.child("End").text().as_ullong();  // inclusive
        data.push_back({start, end - start + 1, true});
    }
    ASSERT_EQ(data.size(), 3u) << pages.body;
    const auto extents = extents_from_data_ranges(data, size);

    hypersdk::test::TempDir dir;
    hypersdk::test::PartFileSink sink(dir / "disk-0.vhd");
    RangedDownloadOptions o;
    o.workers = 4;
    o.range_size = 1u << 20;
    // Blob ranges of up to 4 MiB come with their MD5 when asked: checked per range.
    o.check = [](const RangeData& d) -> std::optional<std::string> {
        const auto md5 = find_header(d.headers, "content-md5");
        if (!md5) return "no Content-MD5 in the answer";
        if (*md5 != base64_md5(d.body)) return "Content-MD5 " + *md5 + " does not match the bytes";
        return std::nullopt;
    };
    Headers range_headers = version;
    range_headers.push_back({"x-ms-range-get-content-md5", "true"});
    const auto r = ranged_download(client, range_request_factory(sas_url, range_headers), extents, sink, o);
    sink.commit();
    EXPECT_EQ(hypersdk::test::sha256_hex(hypersdk::test::read_file(dir / "disk-0.vhd")),
              blob["sha256"].GetString());
    EXPECT_EQ(r.bytes_fetched, blob["data_bytes"].GetUint64());  // only the written pages crossed the wire
    EXPECT_EQ(r.zero_bytes, size - blob["data_bytes"].GetUint64());
    struct stat st {};
    ASSERT_EQ(::stat((dir / "disk-0.vhd").c_str(), &st), 0);
    EXPECT_EQ(static_cast<uint64_t>(st.st_size), size);
    EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, size / 4) << "the holes were written as bytes";
    // The SAS never appears in what the transport said.
    const std::string sig = sas_url.substr(sas_url.find("sig=") + 4, 12);
    EXPECT_EQ(log.text().find(sig), std::string::npos) << log.text();
}
