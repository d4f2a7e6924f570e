#include "gcp_peer.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "known_peers.hpp"

namespace hypersdk::test {
namespace {

struct KeyPair {
    std::string private_pem, public_pem;
};

KeyPair make_rsa_key() {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    if (key == nullptr) throw std::runtime_error("RSA key generation failed");
    BIO* priv = BIO_new(BIO_s_mem());
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
    PEM_write_bio_PUBKEY(pub, key);
    auto text = [](BIO* b) {
        char* data = nullptr;
        const long n = BIO_get_mem_data(b, &data);
        return std::string(data, static_cast<size_t>(n));
    };
    KeyPair out{text(priv), text(pub)};
    BIO_free(priv);
    BIO_free(pub);
    EVP_PKEY_free(key);
    return out;
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out + "\"";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + path.string());
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + path.string());
}

std::string key_file_json(const std::string& project, const std::string& email, const std::string& pem,
                          const std::string& token_uri) {
    return "{\"type\": \"service_account\", \"project_id\": " + json_string(project) +
           ", \"private_key_id\": \"peer-key-1\", \"private_key\": " + json_string(pem) +
           ", \"client_email\": " + json_string(email) + ", \"client_id\": \"1234567890\"" +
           ", \"auth_uri\": \"https://accounts.google.com/o/oauth2/auth\", \"token_uri\": " +
           json_string(token_uri) + "}\n";
}

}  // namespace

GcpPeer::GcpPeer(GcpPeerOptions options) : options_(std::move(options)) {
    client_email_ = "migrator@" + options_.project + ".iam.gserviceaccount.com";
    const KeyPair right = make_rsa_key();
    const KeyPair wrong = make_rsa_key();
    private_key_pem_ = right.private_pem;
    wrong_private_key_pem_ = wrong.private_pem;
    std::ostringstream config;
    config << "{\"project\": " << json_string(options_.project)
           << ", \"client_email\": " << json_string(client_email_)
           << ", \"key_id\": \"peer-key-1\", \"public_key\": " << json_string(right.public_pem)
           << ", \"static_tokens\": ["
           << (options_.static_token.empty() ? "" : json_string(options_.static_token)) << "]"
           << ", \"token_lifetime_seconds\": " << options_.token_lifetime_seconds
           << ", \"operation_polls\": " << options_.operation_polls
           << ", \"build_polls\": " << options_.build_polls << ", \"instances\": " << options_.instances_json
           << ", \"objects\": " << options_.objects_json << ", \"faults\": " << options_.faults_json << "}\n";
    write_file(dir_ / "config.json", config.str());

    NodePeerOptions o;
    o.name = "gcp";
    o.argv = {"{node}", (peer_scripts_dir() / "gcp" / "peer.cjs").string(),
              "{port}", "{cert}",
              "{key}",  (dir_ / "config.json").string()};
    o.ready_path = "/";
    peer_ = std::make_unique<NodePeer>(o);
    const std::string token_uri = base_url() + "/token";
    write_file(key_file(), key_file_json(options_.project, client_email_, right.private_pem, token_uri));
    write_file(wrong_key_file(),
               key_file_json(options_.project, client_email_, wrong.private_pem, token_uri));
}

GcpPeer::~GcpPeer() {
    if (std::getenv("HYPERSDK_KEEP_GCP_PEER_LOG")) std::fprintf(stderr, "%s", requests().c_str());
}

std::string GcpPeer::requests() const {
    std::ifstream in(dir_ / "requests.log");
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void write_test_disk(const std::filesystem::path& path, uint64_t bytes, unsigned seed, uint64_t stride) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(bytes)) != 0)
        throw std::runtime_error("cannot make " + path.string());
    std::mt19937_64 random(seed);
    std::string block(1 << 20, '\0');
    for (uint64_t at = 0; at < bytes; at += stride) {
        for (size_t i = 0; i < block.size(); i += 8) {
            const uint64_t v = random();
            std::memcpy(block.data() + i, &v, 8);
        }
        const size_t n = static_cast<size_t>(std::min<uint64_t>(block.size(), bytes - at));
        if (::pwrite(fd, block.data(), n, static_cast<off_t>(at)) != static_cast<ssize_t>(n))
            throw std::runtime_error("cannot write " + path.string());
    }
    const std::string odd = "an unaligned run of bytes in a hole";
    ::pwrite(fd, odd.data(), odd.size(), static_cast<off_t>(bytes / 2 + 4097));
    const size_t tail = static_cast<size_t>(std::min<uint64_t>(block.size(), bytes));
    ::pwrite(fd, block.data(), tail, static_cast<off_t>(bytes - tail));
    ::close(fd);
}

}  // namespace hypersdk::test
