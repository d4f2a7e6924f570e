#include "aws_peer_fixture.hpp"

#include <hypersdk/http/client.hpp>

#include <fstream>
#include <stdexcept>

#include "images.hpp"
#include "known_peers.hpp"
#include "process.hpp"

namespace hypersdk::test {

namespace {

constexpr uint64_t kGiB = 1ull << 30;

}  // namespace

AwsPeer::AwsPeer(AwsPeerSetup setup) : setup_(std::move(setup)) {
    NodePeer::require_modules();
    const std::map<std::string, std::string> volumes = {{"vol-0aaaaaaaaaaaaaaa1", "web-root"},
                                                        {"vol-0aaaaaaaaaaaaaaa2", "web-data"},
                                                        {"vol-0bbbbbbbbbbbbbbb1", "db-root"}};
    for (const auto& [id, image] : setup_.volume_images)
        if (volumes.count(id) == 0) throw std::runtime_error("the AWS peer has no volume " + id);
    std::map<std::string, uint64_t> size_gib;
    for (const auto& [id, name] : volumes) {
        if (const auto supplied = setup_.volume_images.find(id); supplied != setup_.volume_images.end()) {
            const uint64_t size = std::filesystem::file_size(supplied->second);
            if (size == 0 || size % kGiB != 0)
                throw std::runtime_error(supplied->second.string() + " is not a whole number of GiB");
            images_[id] = supplied->second;
            size_gib[id] = size / kGiB;
            continue;
        }
        const auto path = dir_.path() / (name + ".raw");
        write_patterned_raw(path, kGiB);
        // A second, different pattern at a block-unaligned place, so the volumes differ.
        {
            std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(static_cast<std::streamoff>(7 * (1u << 20) + 333));
            f << "volume " << id << " of hypersdk's AWS peer";
        }
        const auto check = run_process({"qemu-img", "check", "-f", "raw", path.string()});
        if (check.exit_code != 0 && check.err.find("does not support checks") == std::string::npos)
            throw std::runtime_error("qemu-img cannot read " + path.string() + ": " + check.err);
        images_[id] = path;
        size_gib[id] = 1;
    }
    std::ofstream state(dir_.path() / "state.json");
    state << R"({"region": ")" << kAwsRegion << R"(", "credentials": {"accessKeyId": ")" << kAwsAccessKeyId
          << R"(", "secretAccessKey": ")" << kAwsSecretKey << R"(")"
          << (setup_.session_token.empty() ? "" : R"(, "sessionToken": ")" + setup_.session_token + "\"")
          << R"(},
  "instances": [
    {"id": ")"
          << kWebInstance
          << R"(", "name": "web-01", "state": "running", "type": "t3.medium", "bootMode": "uefi",
     "rootDeviceName": "/dev/xvda", "platformDetails": "Linux/UNIX",
     "volumes": [{"id": "vol-0aaaaaaaaaaaaaaa1", "device": "/dev/xvda", "image": ")"
          << images_["vol-0aaaaaaaaaaaaaaa1"].string() << R"(", "sizeGiB": )"
          << size_gib["vol-0aaaaaaaaaaaaaaa1"] << "}"
          << R"(,
                 {"id": "vol-0aaaaaaaaaaaaaaa2", "device": "/dev/sdf", "image": ")"
          << images_["vol-0aaaaaaaaaaaaaaa2"].string() << R"(", "sizeGiB": )"
          << size_gib["vol-0aaaaaaaaaaaaaaa2"] << "}"
          << R"(],
     "nics": [{"id": "eni-0123", "mac": "0a:1b:2c:3d:4e:5f", "subnetId": "subnet-1", "privateIp": "10.0.0.5"},
              {"id": "eni-0456", "mac": "0a:1b:2c:3d:4e:60", "subnetId": "subnet-2", "privateIp": "10.0.1.5", "deviceIndex": 1}]},
    {"id": ")"
          << kDbInstance << R"(", "name": "db-01", "state": "stopped", "type": "m5.large",
     "rootDeviceName": "/dev/sda1", "platformDetails": "Linux/UNIX",
     "volumes": [{"id": "vol-0bbbbbbbbbbbbbbb1", "device": "/dev/sda1", "image": ")"
          << images_["vol-0bbbbbbbbbbbbbbb1"].string() << R"(", "sizeGiB": )"
          << size_gib["vol-0bbbbbbbbbbbbbbb1"] << "}"
          << R"(],
     "nics": [{"id": "eni-0789", "mac": "0a:1b:2c:3d:4e:70", "subnetId": "subnet-1", "privateIp": "10.0.0.9"}]}
  ],
  "instanceTypes": {"t3.medium": {"vcpus": 2, "memoryMiB": 4096, "bootModes": ["legacy-bios", "uefi"]},
                    "m5.large": {"vcpus": 2, "memoryMiB": 8192, "bootModes": ["legacy-bios"]}},
  "buckets": ["exports"],
  "snapshotDescribesUntilCompleted": )"
          << setup_.snapshot_describes << R"(,
  "exportDescribesUntilCompleted": )"
          << setup_.export_describes << R"(,
  "pageSize": {"instances": )"
          << setup_.instance_page_size << R"(, "blocks": )" << setup_.block_page_size << "}}\n";
    state.close();
    peer_ = std::make_unique<NodePeer>(aws_peer(dir_.path() / "state.json"));
}

std::string AwsPeer::control(const std::string& method, const std::string& path,
                             const std::string& body) const {
    http::ClientOptions o;
    o.tls.ca_file = ca_file();
    o.retry.max_attempts = 1;
    http::Client client(o);
    http::Request r;
    r.method = method;
    r.url = url() + path;
    r.body = body;
    r.retry_safe = false;
    r.timeout = std::chrono::seconds(20);
    const auto answer = client.send(r);
    http::Client::check_status(r, answer);
    return answer.body;
}

void AwsPeer::faults(const std::string& json) const {
    control("POST", "/__control/faults", json);
}

std::string AwsPeer::state() const {
    return control("GET", "/__control/state", "");
}

aws::Config AwsPeer::config(const std::string& secret) const {
    aws::ConfigInput in;
    in.access_key_id = kAwsAccessKeyId;
    in.secret_access_key = secret;
    in.session_token = setup_.session_token;
    in.region = kAwsRegion;
    in.endpoint_url = url();
    in.ca_bundle = ca_file();
    return aws::resolve_config(in);
}

std::map<std::string, std::string> AwsPeer::environment() const {
    std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", kAwsAccessKeyId},
                                              {"AWS_SECRET_ACCESS_KEY", kAwsSecretKey},
                                              {"AWS_REGION", kAwsRegion},
                                              {"AWS_ENDPOINT_URL", url()},
                                              {"AWS_CA_BUNDLE", ca_file()}};
    if (!setup_.session_token.empty()) env["AWS_SESSION_TOKEN"] = setup_.session_token;
    return env;
}

}  // namespace hypersdk::test
