// The provider conformance suite (tests/support/provider_conformance.*) with
// the loopback GCP peer (tests/peers/gcp/peer.cjs): a stopped instance whose
// 1 GiB boot disk (patterned, mostly holes) goes the whole way a real export
// goes: an image, the Cloud Build export to a .tar.gz, the object unpacked
// while downloading, the intermediates deleted, and the disk compared with
// the source byte for byte.
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "gcp_peer.hpp"
#include "images.hpp"
#include "provider_conformance.hpp"
#include "temp_dir.hpp"

namespace {

using hypersdk::test::ConformanceCase;
using hypersdk::test::ConformancePeer;
using hypersdk::test::GcpPeer;
using hypersdk::test::GcpPeerOptions;
using hypersdk::test::ProviderConformance;
using hypersdk::test::TempDir;

constexpr const char* kInstance = "web-01";
constexpr const char* kZone = "us-central1-a";

// Made once for every test of the binary: exactly the 1 GB the peer reports.
const std::filesystem::path& source_disk() {
    static TempDir* dir = [] {
        auto* d = new TempDir();
        hypersdk::test::write_test_disk(*d / "boot.raw", 1u << 30, 13, 128u << 20);
        return d;
    }();
    static const std::filesystem::path path = *dir / "boot.raw";
    return path;
}

// The words of a line "<EVENT> <name> ..." of the peer's requests.log.
std::set<std::string> names_after(const std::string& log, const std::string& event, size_t word = 1) {
    std::set<std::string> out;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(event + " ", 0) != 0) continue;
        std::istringstream words(line);
        std::string w;
        for (size_t i = 0; i <= word && words >> w; ++i) {
        }
        out.insert(w);
    }
    return out;
}

class GcpConformancePeer : public ConformancePeer {
public:
    std::string provider_name() const override { return "gcp"; }
    std::filesystem::path plugin_dir() const override { return PLUGIN_DIR; }
    void start(bool slow) override {
        GcpPeerOptions o;
        o.instances_json = std::string(R"([{"name": ")") + kInstance + R"(", "zone": ")" + kZone +
                           R"(", "id": "5151", "status": "TERMINATED", "machine_type": "e2-standard-2",
            "cpus": 2, "memory_mb": 4096, "shielded": {"secure_boot": false, "vtpm": true},
            "nics": [{"name": "nic0", "network": "default", "ip": "10.128.0.9"}],
            "disks": [{"name": "web-01", "boot": true, "index": 0, "size_gb": 1, "raw": ")" +
                           source_disk().string() + R"(", "guest_os_features": ["UEFI_COMPATIBLE"]}]}])";
        // The archive is about 10 MB (8 MiB of data, the rest zeros): ~5 s at 2 MB/s.
        if (slow) o.faults_json = R"({"media_rate": 2000000})";
        peer_ = std::make_unique<GcpPeer>(o);
    }
    std::string config_json() const override { return json_config(peer_->key_file()); }
    std::string config_with_wrong_secret() const override { return json_config(peer_->wrong_key_file()); }
    // A line of the wrong key's PEM body: no message may show any of it.
    std::string wrong_secret() const override { return peer_->wrong_private_key_pem().substr(40, 64); }
    std::vector<std::string> credential_names() const override {
        return {"GOOGLE_APPLICATION_CREDENTIALS", "--credentials", "key file"};
    }
    std::string vm_ref() const override { return kInstance; }
    std::map<std::string, std::string> expected_disk_sha256() const override {
        return {{std::string(kInstance) + "-disk-0.raw", hypersdk::test::sha256_of_file(source_disk())}};
    }
    // A cancelled export deletes the image it made and the object its build
    // wrote, and cancels no build still running (the cancel lands in the download).
    std::string leftovers_after_cancel() const override {
        const std::string log = peer_->requests();
        std::string left;
        const auto images = names_after(log, "CREATE_IMAGE");
        const auto deleted_images = names_after(log, "DELETE_IMAGE");
        for (const auto& image : images)
            if (!deleted_images.count(image)) left += "image " + image + " not deleted; ";
        const auto objects = names_after(log, "BUILD", 2);
        const auto deleted_objects = names_after(log, "DELETE_OBJECT");
        for (const auto& uri : objects) {
            const std::string key = uri.rfind("gs://", 0) == 0 ? uri.substr(5) : uri;
            if (!deleted_objects.count(key)) left += "object " + uri + " not deleted; ";
        }
        if (images.empty()) left += "no image was made: the cancel came before the export began; ";
        return left;
    }

private:
    std::string json_config(const std::filesystem::path& key_file) const {
        return R"({"credentials":")" + key_file.string() + R"(","zone":")" + kZone +
               R"(","compute-endpoint":")" + peer_->compute_endpoint() + R"(","cloudbuild-endpoint":")" +
               peer_->cloudbuild_endpoint() + R"(","storage-endpoint":")" + peer_->storage_endpoint() +
               R"(","ca-file":")" + peer_->ca_file() + R"(","gcs-bucket":"conformance-migrations"})";
    }

    std::unique_ptr<GcpPeer> peer_;
};

INSTANTIATE_TEST_SUITE_P(Gcp, ProviderConformance,
                         ::testing::Values(ConformanceCase{
                             "gcp_peer", [] { return std::make_unique<GcpConformancePeer>(); }}),
                         hypersdk::test::conformance_case_name);

}  // namespace
