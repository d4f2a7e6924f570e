// AWS end to end with a real guest: the guest's BIOS raw disk becomes the
// volume of the AWS peer's stopped BIOS instance db-01 (the peer serves it
// through EBS direct snapshots, only reading it); `hyperexport --provider aws
// --instance ... --convert --converter qemu-img --fix=false` exports and
// converts it; the result boots under QEMU with the firmware the manifest names.
#include <gtest/gtest.h>

#include "aws_peer_fixture.hpp"
#include "boot_harness.hpp"
#include "exported_guest_boot.hpp"
#include "guest_conversion.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::test;
using namespace std::chrono_literals;

namespace {

const char* const kDbVolume = "vol-0bbbbbbbbbbbbbbb1";

}  // namespace

// In the default set (not "Slow"): the one boot proof of the EBS direct path.
TEST(GuestAws, BiosInstanceFromAwsConvertedWithQemuImgBoots) {
    const GuestImage guest = built_guest();
    ASSERT_FALSE(guest.id.empty()) << "no guest image under " HYPERSDK_GUEST_DIR
                                      "/current: run tests/guest/build-guest (ctest's guest_build)";
    AwsPeerSetup setup;
    setup.volume_images[kDbVolume] = guest.disk(Firmware::bios);
    const AwsPeer peer(setup);

    TempDir dir;
    fs::create_directories(dir.path() / "home");
    ProcessOptions options;
    options.env = peer.environment();
    options.env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
    options.env["HOME"] = (dir.path() / "home").string();
    // Only the peer's settings: none of the machine's own AWS configuration.
    options.unset_env = {"AWS_PROFILE",          "AWS_DEFAULT_REGION",         "AWS_SESSION_TOKEN",
                         "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_EBS",       "AWS_ENDPOINT_URL_S3",
                         "AWS_CONFIG_FILE",      "AWS_SHARED_CREDENTIALS_FILE"};
    options.timeout = 900s;
    const fs::path out = dir.path() / "out";
    const auto result =
        run_hyperexport({"--provider", "aws", "--instance", kDbInstance, "--output", out.string(),
                         "--convert", "--converter", "qemu-img", "--fix=false", "--json"},
                        options);
    ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.out.find(kAwsSecretKey), std::string::npos);
    EXPECT_EQ(result.err.find(kAwsSecretKey), std::string::npos);

    // db-01 boots with legacy BIOS on AWS; QEMU boots the converted disk that way.
    EXPECT_TRUE(export_boots_with(out, result.out, guest, Firmware::bios));
}
