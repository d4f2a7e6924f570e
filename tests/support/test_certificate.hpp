// A throwaway self-signed certificate for a test server on 127.0.0.1 (and
// ::1, localhost): P-256, its own CA, so a client can trust exactly it through
// a CA file with full verification, or pin it by thumbprint.
#pragma once

#include <filesystem>
#include <string>

namespace hypersdk::test {

struct TestCertificate {
    std::filesystem::path cert_pem;  // the certificate (also the CA file to trust)
    std::filesystem::path key_pem;   // its private key (0600)
    std::string sha1;                // "AA:BB:..." thumbprints of the certificate
    std::string sha256;
};

// Writes <dir>/<stem>.pem and <dir>/<stem>-key.pem. Throws std::runtime_error.
TestCertificate make_test_certificate(const std::filesystem::path& dir, const std::string& common_name,
                                      const std::string& stem = "cert");

}  // namespace hypersdk::test
