// The provider conformance suite (tests/support/provider_conformance.*) with
// the loopback AWS peer (tests/peers/aws, every signature checked by AWS's
// own signer): web-01, a running instance with a root and a data volume, is
// exported by ebs-direct through core and each disk compared with the image
// behind its volume; a cancelled export must leave no snapshot behind.
#include <memory>
#include <string>

#include "aws_peer_fixture.hpp"
#include "images.hpp"
#include "provider_conformance.hpp"

namespace {

using hypersdk::test::AwsPeer;
using hypersdk::test::ConformanceCase;
using hypersdk::test::ConformancePeer;
using hypersdk::test::ProviderConformance;

constexpr const char* kRootVolume = "vol-0aaaaaaaaaaaaaaa1";
constexpr const char* kDataVolume = "vol-0aaaaaaaaaaaaaaa2";

int count_of(const std::string& text, const std::string& needle) {
    int n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

class AwsConformancePeer : public ConformancePeer {
public:
    std::string provider_name() const override { return "aws"; }
    std::filesystem::path plugin_dir() const override { return PLUGIN_DIR; }
    void start(bool slow) override {
        peer_ = std::make_unique<AwsPeer>();
        // About a dozen allocated blocks in all, each answered 1.5 s late: a cancellation after the
        // first block lands while the others are still on their way.
        if (slow) peer_->faults(R"({"blockDelayMs": 1500})");
    }
    std::string config_json() const override { return json_config(hypersdk::test::kAwsSecretKey); }
    std::string config_with_wrong_secret() const override { return json_config(wrong_secret()); }
    std::string wrong_secret() const override { return "wrong/Conformance+Key=000000000000000000000"; }
    std::vector<std::string> credential_names() const override {
        return {"AWS_SECRET_ACCESS_KEY", "secret-access-key"};
    }
    std::string vm_ref() const override { return "web-01"; }
    std::map<std::string, std::string> expected_disk_sha256() const override {
        return {{"web-01-disk-0.raw", hypersdk::test::sha256_of_file(peer_->image_of(kRootVolume))},
                {"web-01-disk-1.raw", hypersdk::test::sha256_of_file(peer_->image_of(kDataVolume))}};
    }
    std::string leftovers_after_cancel() const override {
        const std::string state = peer_->state();
        if (count_of(state, R"("deleted":true)") == 2 && count_of(state, R"("deleted":false)") == 0)
            return {};
        return "the export's two snapshots were not both deleted: " + state;
    }

private:
    std::string json_config(const std::string& secret) const {
        return R"({"access-key-id":")" + std::string(hypersdk::test::kAwsAccessKeyId) +
               R"(","secret-access-key":")" + secret + R"(","region":")" + hypersdk::test::kAwsRegion +
               R"(","endpoint-url":")" + peer_->url() + R"(","ca-bundle":")" + peer_->ca_file() +
               R"(","aws-poll-seconds":1})";
    }

    std::unique_ptr<AwsPeer> peer_;
};

INSTANTIATE_TEST_SUITE_P(Aws, ProviderConformance,
                         ::testing::Values(ConformanceCase{
                             "aws_peer", [] { return std::make_unique<AwsConformancePeer>(); }}),
                         hypersdk::test::conformance_case_name);

}  // namespace
