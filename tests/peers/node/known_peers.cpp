#include "known_peers.hpp"

namespace hypersdk::test {

NodePeerOptions s3rver_peer() {
    NodePeerOptions o;
    o.name = "s3rver";
    o.argv = {"s3rver", "--directory", "{dir}/data", "--address", "127.0.0.1", "--port",
              "{port}", "--key",       "{key}",      "--cert",    "{cert}",    "--silent"};
    // s3rver encrypts ListObjectsV2 continuation tokens with DES, which
    // OpenSSL 3 keeps in its legacy provider.
    o.env = {{"NODE_OPTIONS", "--no-deprecation --openssl-legacy-provider"}};
    o.ready_path = "/";
    return o;
}

NodePeerOptions azurite_peer() {
    NodePeerOptions o;
    o.name = "azurite";
    // --disableTelemetry: otherwise it reaches out to the internet.
    o.argv = {"azurite-blob", "--blobHost",         "127.0.0.1", "--blobPort", "{port}",
              "--location",   "{dir}/data",         "--cert",    "{cert}",     "--key",
              "{key}",        "--disableTelemetry", "--silent"};
    o.ready_path = std::string("/") + kAzuriteAccount + "?comp=list";
    return o;
}

NodePeerOptions aws_peer(const std::filesystem::path& state_file) {
    NodePeerOptions o;
    o.name = "aws";
    o.argv = {"{node}",  (peer_scripts_dir() / "aws/aws_peer.cjs").string(),
              "--port",  "{port}",
              "--cert",  "{cert}",
              "--key",   "{key}",
              "--dir",   "{dir}",
              "--state", state_file.string()};
    o.ready_path = "/__control/state";
    return o;
}

std::filesystem::path peer_scripts_dir() {
    return HYPERSDK_PEER_SCRIPTS;
}

}  // namespace hypersdk::test
