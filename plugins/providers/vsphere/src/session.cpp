#include "session.hpp"

#include "errors.hpp"

namespace hypersdk::vsphere {
namespace {

Config normalised(Config config) {
    config.normalise();
    return config;
}

}  // namespace

Session::Session(Config config) : config_(normalised(std::move(config))), transport_(config_) {}

Session::~Session() {
    logout();
}

Response Session::post(const Call& call, std::chrono::seconds timeout) {
    // Before the service content is known, ask in a version every vCenter and
    // ESXi since 6.5 speaks; afterwards in the server's own.
    const std::string action = "urn:vim25/" + (content_.api_version.empty() ? "6.5" : content_.api_version);
    HttpResponse http = transport_.post_soap(call.envelope(), action, call.method(), timeout);
    return parse_response(http.body, call.method());
}

void Session::retrieve_service_content() {
    Response r = post(Call("RetrieveServiceContent", MoRef{"ServiceInstance", "ServiceInstance"}));
    pugi::xml_node rv = r.returnval();
    content_.root_folder = to_moref(child(rv, "rootFolder"));
    content_.property_collector = to_moref(child(rv, "propertyCollector"));
    content_.session_manager = to_moref(child(rv, "sessionManager"));
    content_.search_index = to_moref(child(rv, "searchIndex"));
    content_.ovf_manager = to_moref(child(rv, "ovfManager"));
    pugi::xml_node about = child(rv, "about");
    content_.api_version = child_text(about, "apiVersion");
    content_.api_type = child_text(about, "apiType");
    content_.full_name = child_text(about, "fullName");
    if (content_.root_folder.empty() || content_.property_collector.empty() ||
        content_.session_manager.empty()) {
        throw Error(ErrorKind::protocol,
                    "RetrieveServiceContent: " + config_.url + " did not describe its services");
    }
}

void Session::login() {
    if (content_.session_manager.empty()) retrieve_service_content();
    if (config_.username.empty()) {
        throw Error(ErrorKind::config,
                    "no user name for " + config_.url + ": set username (or GOVC_USERNAME)");
    }
    Call login("Login", content_.session_manager);
    login.param("userName", config_.username).param("password", config_.password);
    try {
        post(login);  // the response (a UserSession) is not needed, and holds the session key
    } catch (const Error& e) {
        if (e.fault_type() == "InvalidLogin") {
            throw Error(ErrorKind::auth,
                        "vSphere rejected the credentials for " + config_.username + " at " + config_.url +
                            ": check the password (--password-file, --password-env or GOVC_PASSWORD) and the "
                            "user name (--username or GOVC_USERNAME)",
                        e.fault_type());
        }
        throw;
    }
    logged_in_ = true;
}

void Session::logout() noexcept {
    if (!logged_in_) return;
    logged_in_ = false;
    try {
        // Bounded: this runs in destructors, also when the server is gone.
        post(Call("Logout", content_.session_manager), std::chrono::seconds(10));
    } catch (...) {
        // The session expires on the server anyway.
    }
    transport_.clear_session_cookie();
}

Response Session::call(const Call& call) {
    try {
        return post(call);
    } catch (const Error& e) {
        if (e.fault_type() != "NotAuthenticated" || !logged_in_) throw;
    }
    logged_in_ = false;
    transport_.clear_session_cookie();
    login();
    return post(call);
}

}  // namespace hypersdk::vsphere
