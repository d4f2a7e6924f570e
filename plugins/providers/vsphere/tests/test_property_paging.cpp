// PropertyCollector paging (RetrievePropertiesEx, ContinueRetrievePropertiesEx,
// CancelRetrievePropertiesEx) over the client's real HTTPS transport, against
// a loopback server that pages by the maxObjects the client sends. vcsim
// 0.24.2 ignores maxObjects, so its tests never see a second page.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "errors.hpp"
#include "property_collector.hpp"
#include "session.hpp"
#include "soap_loopback_server.hpp"

namespace hypersdk::vsphere {
namespace {

using test::SoapLoopbackServer;
using test::SoapObject;
using test::SoapRequest;

std::vector<SoapObject> numbered_vms(size_t count) {
    std::vector<SoapObject> out;
    for (size_t i = 0; i < count; ++i)
        out.push_back({"VirtualMachine", "vm-" + std::to_string(1000 + i), "paging-vm-" + std::to_string(i)});
    return out;
}

bool is_paging(const SoapRequest& r) {
    return r.method == "RetrievePropertiesEx" || r.method == "ContinueRetrievePropertiesEx" ||
           r.method == "CancelRetrievePropertiesEx";
}

class PropertyPaging : public ::testing::Test {
protected:
    void start(size_t count) {
        server_ = std::make_unique<SoapLoopbackServer>(numbered_vms(count));
        session_ = std::make_unique<Session>(config());
        session_->login();
    }

    Config config() const {
        Config c;
        c.url = server_->url();
        c.username = server_->username();
        c.password = server_->password();
        c.ca_file = server_->ca_file();  // full verification, trusting only the test's certificate
        c.connect_timeout = std::chrono::seconds(10);
        c.soap_timeout = std::chrono::seconds(30);
        return c;
    }

    std::vector<ObjectContent> retrieve(int page_size, int max_pages = 100000) {
        const std::string objects =
            object_spec(session_->service_content().root_folder, true, vm_inventory_traversal());
        return retrieve_properties(*session_, {{"VirtualMachine", {"name"}}}, objects, page_size, max_pages);
    }

    // The paging calls the server received since request number `from`.
    std::vector<SoapRequest> paging_requests(size_t from = 0) const {
        const auto all = server_->requests();
        std::vector<SoapRequest> out;
        for (size_t i = from; i < all.size(); ++i)
            if (is_paging(all[i])) out.push_back(all[i]);
        return out;
    }

    void expect_all_in_order(const std::vector<ObjectContent>& got, size_t count) {
        ASSERT_EQ(got.size(), count);
        for (size_t i = 0; i < count; ++i) {
            EXPECT_EQ(got[i].obj, (MoRef{"VirtualMachine", "vm-" + std::to_string(1000 + i)})) << i;
            EXPECT_EQ(got[i].text("name"), "paging-vm-" + std::to_string(i)) << i;
        }
    }

    std::unique_ptr<SoapLoopbackServer> server_;
    std::unique_ptr<Session> session_;
};

TEST_F(PropertyPaging, AllObjectsComeBackInOrderAcrossPages) {
    start(23);
    const auto got = retrieve(5);
    expect_all_in_order(got, 23);

    // 5 pages: the first asks for 5 objects, each continuation carries the
    // token of the page before it, and the last page ends without one.
    const auto calls = paging_requests();
    const auto tokens = server_->issued_tokens();
    ASSERT_EQ(tokens.size(), 4u);
    ASSERT_EQ(calls.size(), 5u);
    EXPECT_EQ(calls[0].method, "RetrievePropertiesEx");
    EXPECT_EQ(calls[0].max_objects, 5);
    for (size_t i = 1; i < calls.size(); ++i) {
        EXPECT_EQ(calls[i].method, "ContinueRetrievePropertiesEx") << i;
        EXPECT_EQ(calls[i].token, tokens[i - 1]) << i;
    }
    for (const auto& call : calls) EXPECT_TRUE(call.authenticated) << call.method;
    EXPECT_EQ(server_->open_tokens(), 0u);
}

TEST_F(PropertyPaging, PageSizeIsTheMaxObjectsTheClientSends) {
    start(24);
    struct Case {
        int page_size;
        size_t pages;
    };
    // 8 divides 24: the third page is full and must be the last.
    for (const Case c : {Case{1, 24}, Case{5, 5}, Case{8, 3}, Case{24, 1}, Case{500, 1}}) {
        SCOPED_TRACE("page size " + std::to_string(c.page_size));
        const size_t before = server_->requests().size();
        expect_all_in_order(retrieve(c.page_size), 24);
        const auto calls = paging_requests(before);
        ASSERT_EQ(calls.size(), c.pages);
        EXPECT_EQ(calls[0].max_objects, c.page_size);
        for (size_t i = 1; i < calls.size(); ++i) EXPECT_EQ(calls[i].method, "ContinueRetrievePropertiesEx");
    }
    EXPECT_EQ(server_->open_tokens(), 0u);
}

TEST_F(PropertyPaging, EmptyResultIsOneCall) {
    start(0);
    EXPECT_TRUE(retrieve(5).empty());
    EXPECT_EQ(paging_requests().size(), 1u);
    EXPECT_TRUE(server_->issued_tokens().empty());
}

TEST_F(PropertyPaging, MaxPagesCancelsWithTheTokenAndThrows) {
    start(23);
    try {
        retrieve(5, 3);
        FAIL() << "more pages than max_pages were accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::protocol);
        EXPECT_STREQ(e.what(), "RetrievePropertiesEx: more than 3 pages of results; giving up");
    }
    // Three pages read, then the fourth page's token cancelled instead of fetched.
    const auto calls = paging_requests();
    const auto tokens = server_->issued_tokens();
    ASSERT_EQ(tokens.size(), 3u);
    ASSERT_EQ(calls.size(), 4u);
    EXPECT_EQ(calls[0].method, "RetrievePropertiesEx");
    EXPECT_EQ(calls[1].method, "ContinueRetrievePropertiesEx");
    EXPECT_EQ(calls[1].token, tokens[0]);
    EXPECT_EQ(calls[2].method, "ContinueRetrievePropertiesEx");
    EXPECT_EQ(calls[2].token, tokens[1]);
    EXPECT_EQ(calls[3].method, "CancelRetrievePropertiesEx");
    EXPECT_EQ(calls[3].token, tokens[2]);
    EXPECT_EQ(server_->open_tokens(), 0u);  // the server freed the result set

    // The session is still usable afterwards.
    expect_all_in_order(retrieve(10), 23);
}

TEST_F(PropertyPaging, MaxPagesExactlyEnoughIsNotAnError) {
    start(15);
    expect_all_in_order(retrieve(5, 3), 15);
    const auto calls = paging_requests();
    ASSERT_EQ(calls.size(), 3u);
    EXPECT_EQ(calls.back().method, "ContinueRetrievePropertiesEx");
}

// The server's certificate is trusted only through the CA file: without it
// the production transport must refuse (so the tests above really verify TLS).
TEST(PropertyPagingTls, WithoutTheCaFileTheCertificateIsRefused) {
    SoapLoopbackServer server(numbered_vms(1));
    Config c;
    c.url = server.url();
    c.username = server.username();
    c.password = server.password();
    c.connect_timeout = std::chrono::seconds(10);
    c.soap_timeout = std::chrono::seconds(30);
    Session session(c);
    try {
        session.login();
        FAIL() << "logged in over an untrusted certificate";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::tls) << e.what();
    }
    EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace hypersdk::vsphere
