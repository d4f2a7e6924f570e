// Compute Engine end to end with a real guest: the guest's BIOS raw disk is
// the boot disk of the GCP peer's stopped instance db-01 (no UEFI_COMPATIBLE
// feature, no Shielded VM: legacy BIOS); the peer plays Cloud Build's image
// export, a tar.gz holding disk.raw in Cloud Storage; `hyperexport --provider
// gcp --instance ... --convert --converter qemu-img --fix=false` exports,
// unpacks and converts it; the result boots under QEMU with SeaBIOS.
#include <gtest/gtest.h>

#include "boot_harness.hpp"
#include "exported_guest_boot.hpp"
#include "gcp_peer.hpp"
#include "guest_conversion.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

TEST(GuestGcp, BiosInstanceFromGcpConvertedWithQemuImgBoots) {
    const GuestImage guest = built_guest();
    ASSERT_FALSE(guest.id.empty()) << "no guest image under " HYPERSDK_GUEST_DIR
                                      "/current: run tests/guest/build-guest (ctest's guest_build)";
    const fs::path disk = guest.disk(Firmware::bios);
    const uint64_t size_gb = (fs::file_size(disk) + (1ull << 30) - 1) >> 30;
    GcpPeerOptions world;
    // The peer only reads the disk (its export tars it through a link).
    world.instances_json =
        R"([{"name": "db-01", "zone": "europe-west4-a", "id": "4343", "status": "TERMINATED",
        "machine_type": "e2-small", "cpus": 1, "memory_mb": 1024, "shielded": null, "nics": [],
        "disks": [{"name": "db-01", "boot": true, "index": 0, "size_gb": )" +
        std::to_string(size_gb) + R"(, "raw": ")" + disk.string() + R"("}]}])";
    const GcpPeer peer(world);

    TempDir dir;
    fs::create_directories(dir.path() / "home");
    ProcessOptions options;
    options.env = {{"GOOGLE_APPLICATION_CREDENTIALS", peer.key_file().string()},
                   {"STORAGE_EMULATOR_HOST", peer.storage_endpoint()},
                   {"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                   {"HOME", (dir.path() / "home").string()}};
    // Only the peer's settings: none of the machine's own gcloud configuration.
    options.unset_env = {"GOOGLE_CLOUD_PROJECT",
                         "CLOUDSDK_CORE_PROJECT",
                         "CLOUDSDK_COMPUTE_ZONE",
                         "GOOGLE_OAUTH_ACCESS_TOKEN",
                         "CLOUDSDK_CONFIG",
                         "https_proxy",
                         "HTTPS_PROXY"};
    options.timeout = 900s;
    const fs::path out = dir.path() / "out";
    const auto result = run_hyperexport(
        {"--provider", "gcp", "--instance", "db-01", "--zone", "europe-west4-a", "--gcs-bucket", "migrations",
         "--compute-endpoint=" + peer.compute_endpoint(),
         "--cloudbuild-endpoint=" + peer.cloudbuild_endpoint(), "--ca-file=" + peer.ca_file(), "--output",
         out.string(), "--convert", "--converter", "qemu-img", "--fix=false", "--json"},
        options);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err << peer.requests();
    const std::string key_body = peer.private_key_pem().substr(40, 64);
    EXPECT_EQ(result.out.find(key_body), std::string::npos);
    EXPECT_EQ(result.err.find(key_body), std::string::npos);

    // Without UEFI_COMPATIBLE the instance boots with legacy BIOS; so does QEMU.
    EXPECT_TRUE(export_boots_with(out, result.out, guest, Firmware::bios));
}
