// A loopback HTTPS server that speaks just enough of the vSphere SOAP protocol
// for a client Session (RetrieveServiceContent, Login, Logout) and serves
// RetrievePropertiesEx / ContinueRetrievePropertiesEx / CancelRetrievePropertiesEx
// from a fixed list of objects, in pages of the maxObjects the client asks for.
// vcsim 0.24.2 ignores maxObjects, so only this server makes the client page.
//
// HTTPS, the certificate and every bounded wait come from the tests' generic
// TlsLoopbackServer (tests/support); clients trust it through ca_file().
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tls_loopback_server.hpp"

namespace hypersdk::vsphere::test {

// One managed object the PropertyCollector hands out, with its "name".
struct SoapObject {
    std::string type;   // "VirtualMachine"
    std::string value;  // "vm-1000"
    std::string name;
};

// One SOAP request as the server understood it.
struct SoapRequest {
    std::string method;          // local name of the Body's first element
    std::string token;           // <token> of Continue/CancelRetrievePropertiesEx
    int max_objects = -1;        // <options><maxObjects> of RetrievePropertiesEx; -1: absent
    bool authenticated = false;  // carried the cookie of the logged-in session
};

class SoapLoopbackServer {
public:
    // Objects beyond a page of this many when the client sends no maxObjects.
    static constexpr int kDefaultPageSize = 100;

    explicit SoapLoopbackServer(std::vector<SoapObject> objects, std::string username = "paging-user",
                                std::string password = "paging-Secret-1");
    ~SoapLoopbackServer();
    SoapLoopbackServer(const SoapLoopbackServer&) = delete;
    SoapLoopbackServer& operator=(const SoapLoopbackServer&) = delete;

    const std::string& url() const { return url_; }  // https://127.0.0.1:PORT/sdk
    std::string ca_file() const { return server_->ca_file(); }
    const std::string& username() const { return username_; }
    const std::string& password() const { return password_; }

    std::vector<SoapRequest> requests() const;
    // Continuation tokens in the order the server handed them out.
    std::vector<std::string> issued_tokens() const;
    // Tokens neither used up nor cancelled.
    size_t open_tokens() const;

private:
    struct Reply {
        int status = 200;
        std::string body;
        std::string set_cookie;
    };
    struct Cursor {
        size_t next = 0;
        size_t page_size = 0;
        std::vector<std::string> paths;  // the properties the client asked for
    };

    Reply handle(const std::string& body, const std::string& cookie);
    Reply page(const std::string& method, Cursor cursor);  // called with mutex_ held

    std::vector<SoapObject> objects_;
    std::string username_;
    std::string password_;
    std::string url_;

    mutable std::mutex mutex_;  // guards everything below
    std::string session_key_;   // "" when nobody is logged in
    std::vector<SoapRequest> requests_;
    std::vector<std::string> issued_;
    std::map<std::string, Cursor> cursors_;
    size_t token_counter_ = 0;

    // Last: its threads call handle() until it is destroyed, before the state above.
    std::unique_ptr<hypersdk::test::TlsLoopbackServer> server_;
};

}  // namespace hypersdk::vsphere::test
