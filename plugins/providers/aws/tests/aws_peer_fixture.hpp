// The loopback AWS peer (tests/peers/aws/aws_peer.cjs) set up for a test:
// two instances whose volumes are raw images with real content and holes
// (tests/support write_patterned_raw, 1 GiB each, checked by qemu-img) or
// images the test supplies (AwsPeerSetup::volume_images),
// started on 127.0.0.1 with its own certificate, plus the control calls that
// inject faults and read back what the peer saw.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "config.hpp"
#include "node_peer.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

namespace hypersdk::test {

inline constexpr const char* kAwsAccessKeyId = "AKIAHYPERSDKPEER0001";
inline constexpr const char* kAwsSecretKey = "peer/Secret+Key=ForTestsOnly0000000000";
inline constexpr const char* kAwsRegion = "eu-west-3";
// web-01: running, UEFI, a root and a data volume. db-01: stopped, BIOS, one volume.
inline constexpr const char* kWebInstance = "i-0123456789abcdef0";
inline constexpr const char* kDbInstance = "i-0fedcba9876543210";

struct AwsPeerSetup {
    std::string session_token;   // the peer then requires it
    int instance_page_size = 1;  // DescribeInstances pages (1: every instance its own page)
    int block_page_size = 2;     // ListSnapshotBlocks pages
    int snapshot_describes = 2;  // DescribeSnapshots calls until completed
    int export_describes = 2;
    // Volume id -> a raw image the test supplies for it instead of the generated
    // one (a whole number of GiB). Served as it is: the peer only reads it.
    std::map<std::string, std::filesystem::path> volume_images;
};

class AwsPeer {
public:
    explicit AwsPeer(AwsPeerSetup setup = {});

    std::string url() const { return peer_->base_url(); }
    std::string ca_file() const { return peer_->ca_file(); }
    // The images behind the volumes, by volume id.
    const std::map<std::string, std::filesystem::path>& images() const { return images_; }
    std::filesystem::path image_of(const std::string& volume_id) const { return images_.at(volume_id); }

    // POST /__control/faults with this JSON object.
    void faults(const std::string& json) const;
    // GET /__control/state.
    std::string state() const;

    // A client Config reaching this peer with the test credentials.
    aws::Config config(const std::string& secret = kAwsSecretKey) const;
    // Environment variables for hyperexport reaching this peer.
    std::map<std::string, std::string> environment() const;

private:
    std::string control(const std::string& method, const std::string& path, const std::string& body) const;

    TempDir dir_;
    AwsPeerSetup setup_;
    std::map<std::string, std::filesystem::path> images_;
    std::unique_ptr<NodePeer> peer_;
};

}  // namespace hypersdk::test
