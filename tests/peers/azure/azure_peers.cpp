#include "azure_peers.hpp"

#include <hypersdk/http/client.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "images.hpp"
#include "known_peers.hpp"
#include "process.hpp"

namespace fs = std::filesystem;

namespace hypersdk::test {
namespace {

// Azurite's well-known development key (public, documented by Microsoft).
const char* const kAzuriteKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

fs::path make_fixed_vhd(const fs::path& raw, uint64_t bytes) {
    write_patterned_raw(raw, bytes);
    const fs::path vhd = fs::path(raw).replace_extension(".vhd");
    const auto r = run_process({"qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o",
                                "subformat=fixed,force_size=on", raw.string(), vhd.string()});
    if (r.exit_code != 0) throw std::runtime_error("qemu-img convert to a fixed VHD failed: " + r.err);
    return vhd;
}

AzurePeers::AzurePeers(AzurePeersOptions options) {
    azurite_ = std::make_unique<NodePeer>(azurite_peer());
    std::string vms;
    for (const auto& vm : options.vms) {
        std::string disks;
        for (const auto& d : vm.disks) {
            const auto up = run_node_script(peer_scripts_dir() / "azure/upload_vhd.cjs",
                                            {azurite_->base_url(), d.vhd.string(), "disks", d.name + ".vhd",
                                             std::to_string(d.upload_merge_gap)},
                                            azurite_->ca_file(), std::chrono::seconds(600));
            if (up.exit_code != 0) throw std::runtime_error("upload_vhd.cjs failed: " + up.err + up.out);
            const uint64_t size = fs::file_size(d.vhd);
            if (size < 512 || (size - 512) % (1u << 20) != 0)
                throw std::runtime_error("a test VHD must hold whole MiB plus its footer");
            disks += std::string(disks.empty() ? "" : ",") + "{\"name\":" + quoted(d.name) +
                     ",\"container\":\"disks\",\"blob\":" + quoted(d.name + ".vhd") +
                     ",\"size_bytes\":" + std::to_string(size - 512) +
                     (d.lun >= 0 ? ",\"lun\":" + std::to_string(d.lun) : "") + "}";
        }
        vms += std::string(vms.empty() ? "" : ",") + "{\"name\":" + quoted(vm.name) +
               ",\"resource_group\":" + quoted(vm.resource_group) + ",\"location\":\"westeurope\"" +
               ",\"vm_size\":\"Standard_D2s_v3\",\"power_state\":" + quoted(vm.power_state) +
               ",\"trusted_launch\":" + (vm.trusted_launch ? "true" : "false") +
               ",\"secure_boot\":" + (vm.secure_boot ? "true" : "false") + ",\"disks\":[" + disks +
               "],\"nics\":[{\"name\":" + quoted(vm.name + "-nic") + ",\"mac\":" + quoted(vm.mac) + "}]}";
    }
    const fs::path config = dir_.path() / "arm-peer.json";
    std::ofstream(config) << "{\"tenant\":" << quoted(kTenant) << ",\"client_id\":" << quoted(kClientId)
                          << ",\"client_secret\":" << quoted(kClientSecret)
                          << ",\"subscription\":" << quoted(kSubscription)
                          << ",\"azurite\":{\"endpoint\":" << quoted(azurite_->base_url())
                          << ",\"account\":\"devstoreaccount1\",\"key\":" << quoted(kAzuriteKey)
                          << ",\"ca_file\":" << quoted(azurite_->ca_file()) << "},\"vms\":[" << vms
                          << "],\"faults\":" << options.faults_json << "}";
    NodePeerOptions arm;
    arm.name = "azure-arm";
    arm.argv = {"{node}", (peer_scripts_dir() / "azure/arm_peer.cjs").string(),
                "{port}", "{cert}",
                "{key}",  config.string()};
    arm.ready_path = "/";
    // The peer itself talks to Azurite (blob snapshots) over TLS.
    arm.env = {{"NODE_EXTRA_CA_CERTS", azurite_->ca_file()}};
    arm_ = std::make_unique<NodePeer>(arm);
    bundle_ = dir_.path() / "ca-bundle.pem";
    std::ofstream(bundle_) << read_file(azurite_->ca_file()) << read_file(arm_->ca_file());
}

AzurePeers::~AzurePeers() = default;

std::string AzurePeers::arm_url() const {
    return arm_->base_url();
}
std::string AzurePeers::ca_bundle() const {
    return bundle_.string();
}
std::string AzurePeers::azurite_url() const {
    return azurite_->base_url();
}

std::string AzurePeers::state() const {
    http::ClientOptions o;
    o.tls.ca_file = arm_->ca_file();
    o.retry.max_attempts = 1;
    http::Client client(o);
    http::Request r;
    r.url = arm_->base_url() + "/_peer/state";
    r.timeout = std::chrono::seconds(10);
    const auto answer = client.send(r);
    http::Client::check_status(r, answer);
    return answer.body;
}

}  // namespace hypersdk::test
