// The provider kit's one mapping from error kinds to hypersdk statuses, the
// transport's errors mapped into it, and the boundary that turns any
// exception into a status and a job error.
#include <hypersdk/core/host_table.hpp>
#include <hypersdk/core/job.hpp>
#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/http/error.hpp>
#include <hypersdk/provider/boundary.hpp>
#include <hypersdk/provider/error.hpp>

#include <gtest/gtest.h>

#include <stdexcept>

namespace pk = hypersdk::provider;
namespace http = hypersdk::http;

namespace {

// A client library's error type as a plugin's client would have it.
enum class ClientKind { bad_key, gone, busy };
class ClientError : public std::runtime_error {
public:
    ClientError(ClientKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ClientKind kind() const noexcept { return kind_; }

private:
    ClientKind kind_;
};

pk::ErrorKind kit_kind_of(ClientKind kind) {
    switch (kind) {
        case ClientKind::bad_key:
            return pk::ErrorKind::auth;
        case ClientKind::gone:
            return pk::ErrorKind::not_found;
        case ClientKind::busy:
            break;
    }
    return pk::ErrorKind::throttled;
}

TEST(ProviderErrors, WithKitErrorsRethrowsTheClientsErrorsByItsMapping) {
    EXPECT_EQ(pk::with_kit_errors<ClientError>(kit_kind_of, [] { return 7; }), 7);
    try {
        pk::with_kit_errors<ClientError>(kit_kind_of,
                                         [] { throw ClientError(ClientKind::gone, "disk d1 not found"); });
        FAIL() << "no exception";
    } catch (const pk::Error& e) {
        EXPECT_EQ(e.kind(), pk::ErrorKind::not_found);
        EXPECT_STREQ(e.what(), "disk d1 not found");
    }
    // Anything else passes through untouched, for the kit's boundary to map.
    EXPECT_THROW(pk::with_kit_errors<ClientError>(kit_kind_of, [] { throw std::logic_error("bug"); }),
                 std::logic_error);
    EXPECT_THROW(pk::with_kit_errors<ClientError>(kit_kind_of,
                                                  [] { throw pk::Error(pk::ErrorKind::io, "disk full"); }),
                 pk::Error);
}

TEST(ProviderErrors, EveryKindHasItsStatus) {
    const std::pair<pk::ErrorKind, int32_t> expected[] = {
        {pk::ErrorKind::config, HYPERSDK_ERR_INVALID_ARGUMENT},
        {pk::ErrorKind::auth, HYPERSDK_ERR_AUTH},
        {pk::ErrorKind::network, HYPERSDK_ERR_NETWORK},
        {pk::ErrorKind::tls, HYPERSDK_ERR_NETWORK},
        {pk::ErrorKind::not_found, HYPERSDK_ERR_NOT_FOUND},
        {pk::ErrorKind::state, HYPERSDK_ERR_STATE},
        {pk::ErrorKind::cancelled, HYPERSDK_ERR_CANCELLED},
        {pk::ErrorKind::timeout, HYPERSDK_ERR_TIMEOUT},
        {pk::ErrorKind::throttled, HYPERSDK_ERR_NETWORK},
        {pk::ErrorKind::io, HYPERSDK_ERR_IO},
        {pk::ErrorKind::unsupported, HYPERSDK_ERR_UNSUPPORTED},
        {pk::ErrorKind::internal, HYPERSDK_ERR_INTERNAL},
        {pk::ErrorKind::remote, HYPERSDK_ERR_GENERIC},
    };
    for (const auto& [kind, status] : expected) {
        EXPECT_EQ(pk::status_for(kind), status) << pk::to_string(kind);
        EXPECT_EQ(pk::Error(kind, "x").status(), status) << pk::to_string(kind);
    }
}

TEST(ProviderErrors, TransportErrorsMapByKindAndStatus) {
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::status, "HTTP 401", 401)), pk::ErrorKind::auth);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::status, "HTTP 403", 403)), pk::ErrorKind::auth);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::status, "HTTP 404", 404)), pk::ErrorKind::not_found);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::status, "HTTP 429", 429)), pk::ErrorKind::throttled);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::status, "HTTP 503", 503)), pk::ErrorKind::network);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::tls, "pin")), pk::ErrorKind::tls);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::connect, "refused")), pk::ErrorKind::network);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::integrity, "md5")), pk::ErrorKind::network);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::timeout, "stall")), pk::ErrorKind::timeout);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::cancelled, "c")), pk::ErrorKind::cancelled);
    EXPECT_EQ(pk::kind_for(http::Error(http::ErrorKind::config, "url")), pk::ErrorKind::config);
}

pk::BoundaryError boundary_of(const std::function<void()>& thrower) {
    try {
        thrower();
    } catch (...) {
        return pk::boundary_error(std::current_exception());
    }
    return {};
}

TEST(ProviderErrors, BoundaryMapsEveryExceptionType) {
    auto e = boundary_of([] { throw pk::Error(pk::ErrorKind::auth, "AWS rejected AWS_SECRET_ACCESS_KEY"); });
    EXPECT_EQ(e.status, HYPERSDK_ERR_AUTH);
    EXPECT_EQ(e.message, "AWS rejected AWS_SECRET_ACCESS_KEY");
    e = boundary_of([] { throw http::Error(http::ErrorKind::status, "GET https://h/x: HTTP 403", 403); });
    EXPECT_EQ(e.status, HYPERSDK_ERR_AUTH);
    e = boundary_of([] { throw hypersdk::cxx::Error(HYPERSDK_ERR_STATE, "VM is running"); });
    EXPECT_EQ(e.status, HYPERSDK_ERR_STATE);
    EXPECT_EQ(e.message, "VM is running");
    e = boundary_of([] { throw std::out_of_range("vector::at"); });
    EXPECT_EQ(e.status, HYPERSDK_ERR_INTERNAL);
    EXPECT_EQ(e.message, "internal error in plugin: vector::at");
    e = boundary_of([] { throw 42; });
    EXPECT_EQ(e.status, HYPERSDK_ERR_INTERNAL);
}

TEST(ProviderErrors, RunEntryReturnsTheStatusAndSetsTheJobError) {
    const hypersdk::core::HostTable table("org.example.test", "/x.so");
    hypersdk::cxx::set_host(table.get());
    hypersdk::core::Job job;
    EXPECT_EQ(pk::run_entry(job.handle(), [] {}), HYPERSDK_OK);
    EXPECT_FALSE(job.error().has_value());
    EXPECT_EQ(
        pk::run_entry(job.handle(), [] { throw pk::Error(pk::ErrorKind::throttled, "still throttled"); }),
        HYPERSDK_ERR_NETWORK);
    ASSERT_TRUE(job.error().has_value());
    EXPECT_EQ(job.error()->status, HYPERSDK_ERR_NETWORK);
    EXPECT_EQ(job.error()->message, "still throttled");
    hypersdk::cxx::set_host(nullptr);
}

}  // namespace
