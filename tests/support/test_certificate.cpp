#include "test_certificate.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace hypersdk::test {
namespace {

[[noreturn]] void fail(const std::string& what) {
    char detail[256] = "";
    ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
    throw std::runtime_error("test certificate: " + what + ": " + detail);
}

void add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) fail(std::string("extension ") + value);
    X509_EXTENSION_free(ext);
}

std::string thumbprint(X509* cert, const EVP_MD* md) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (X509_digest(cert, md, digest, &len) != 1) fail("X509_digest");
    std::string out;
    char byte[4];
    for (unsigned i = 0; i < len; ++i) {
        std::snprintf(byte, sizeof byte, i ? ":%02X" : "%02X", digest[i]);
        out += byte;
    }
    return out;
}

using File = std::unique_ptr<FILE, decltype(&std::fclose)>;

File open_private(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) fail("cannot create " + path.string());
    FILE* f = fdopen(fd, "w");
    if (f == nullptr) {
        ::close(fd);
        fail("fdopen " + path.string());
    }
    return File(f, std::fclose);
}

}  // namespace

TestCertificate make_test_certificate(const std::filesystem::path& dir, const std::string& common_name,
                                      const std::string& stem) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!key) fail("EVP_EC_gen");
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!cert) fail("X509_new");
    X509_set_version(cert.get(), 2);
    std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
    if (!serial || BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr)
        fail("serial");
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost");
    add_extension(cert.get(), NID_subject_key_identifier, "hash");
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("X509_sign");

    TestCertificate out;
    out.cert_pem = dir / (stem + ".pem");
    out.key_pem = dir / (stem + "-key.pem");
    {
        File f = open_private(out.cert_pem);
        if (PEM_write_X509(f.get(), cert.get()) != 1) fail("writing " + out.cert_pem.string());
    }
    {
        File f = open_private(out.key_pem);
        if (PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
            fail("writing " + out.key_pem.string());
    }
    out.sha1 = thumbprint(cert.get(), EVP_sha1());
    out.sha256 = thumbprint(cert.get(), EVP_sha256());
    return out;
}

}  // namespace hypersdk::test
