#include "hypersdk/provider/error.hpp"

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/http/error.hpp>

namespace hypersdk::provider {

const char* to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::config:
            return "config";
        case ErrorKind::auth:
            return "auth";
        case ErrorKind::network:
            return "network";
        case ErrorKind::tls:
            return "tls";
        case ErrorKind::not_found:
            return "not_found";
        case ErrorKind::state:
            return "state";
        case ErrorKind::cancelled:
            return "cancelled";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::throttled:
            return "throttled";
        case ErrorKind::io:
            return "io";
        case ErrorKind::unsupported:
            return "unsupported";
        case ErrorKind::internal:
            return "internal";
        case ErrorKind::remote:
            return "remote";
    }
    return "internal";
}

int32_t status_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::config:
            return HYPERSDK_ERR_INVALID_ARGUMENT;
        case ErrorKind::auth:
            return HYPERSDK_ERR_AUTH;
        case ErrorKind::network:
        case ErrorKind::tls:
        case ErrorKind::throttled:
            return HYPERSDK_ERR_NETWORK;
        case ErrorKind::not_found:
            return HYPERSDK_ERR_NOT_FOUND;
        case ErrorKind::state:
            return HYPERSDK_ERR_STATE;
        case ErrorKind::cancelled:
            return HYPERSDK_ERR_CANCELLED;
        case ErrorKind::timeout:
            return HYPERSDK_ERR_TIMEOUT;
        case ErrorKind::io:
            return HYPERSDK_ERR_IO;
        case ErrorKind::unsupported:
            return HYPERSDK_ERR_UNSUPPORTED;
        case ErrorKind::internal:
            return HYPERSDK_ERR_INTERNAL;
        case ErrorKind::remote:
            return HYPERSDK_ERR_GENERIC;
    }
    return HYPERSDK_ERR_INTERNAL;
}

ErrorKind kind_for(const http::Error& error) {
    switch (error.kind()) {
        case http::ErrorKind::config:
            return ErrorKind::config;
        case http::ErrorKind::tls:
            return ErrorKind::tls;
        case http::ErrorKind::timeout:
            return ErrorKind::timeout;
        case http::ErrorKind::cancelled:
            return ErrorKind::cancelled;
        case http::ErrorKind::connect:
        case http::ErrorKind::transport:
        case http::ErrorKind::protocol:
        case http::ErrorKind::integrity:
            return ErrorKind::network;
        case http::ErrorKind::status:
            switch (error.http_status()) {
                case 401:
                case 403:
                    return ErrorKind::auth;
                case 404:
                    return ErrorKind::not_found;
                case 429:
                    return ErrorKind::throttled;
                default:
                    return ErrorKind::network;
            }
    }
    return ErrorKind::network;
}

BoundaryError boundary_error(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        return {e.status(), e.what()};
    } catch (const http::Error& e) {
        return {status_for(kind_for(e)), e.what()};
    } catch (const cxx::Error& e) {
        return {e.status() < 0 ? e.status() : HYPERSDK_ERR_GENERIC, e.what()};
    } catch (const std::exception& e) {
        return {HYPERSDK_ERR_INTERNAL, std::string("internal error in plugin: ") + e.what()};
    } catch (...) {
        return {HYPERSDK_ERR_INTERNAL, "internal error in plugin: unknown exception"};
    }
}

}  // namespace hypersdk::provider
