#include "soap_loopback_server.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <pugixml.hpp>
#include <stdexcept>
#include <string_view>

#include "soap.hpp"  // xml_escape: the client's own, the server needs the same rules

namespace hypersdk::vsphere::test {
namespace {

[[noreturn]] void fail(const std::string& what) {
    char detail[256] = "";
    ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
    throw std::runtime_error("soap loopback server: " + what + ": " + detail);
}

std::string random_hex(size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) fail("RAND_bytes");
    std::string out;
    char pair[3];
    for (unsigned char b : raw) {
        std::snprintf(pair, sizeof pair, "%02x", b);
        out += pair;
    }
    return out;
}

std::string_view local_name(pugi::xml_node node) {
    std::string_view name = node.name();
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node first_element(pugi::xml_node node, std::string_view local = {}) {
    for (auto c : node.children())
        if (c.type() == pugi::node_element && (local.empty() || local_name(c) == local)) return c;
    return {};
}

// Envelope and fault shapes as vcsim writes them.
std::string envelope(const std::string& body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<soapenv:Envelope xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" "
           "xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>" +
           body + "</soapenv:Body></soapenv:Envelope>";
}

std::string response(const std::string& method, const std::string& inner) {
    return envelope("<" + method + "Response xmlns=\"urn:vim25\">" + inner + "</" + method + "Response>");
}

std::string fault(const std::string& type, const std::string& message, const std::string& detail = {}) {
    return envelope("<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>" +
                    xml_escape(message) + "</faultstring><detail><" + type +
                    "Fault xmlns=\"urn:vim25\" xsi:type=\"" + type + "\">" + detail + "</" + type +
                    "Fault></detail></soapenv:Fault>");
}

const char* const kServiceContent =
    "<returnval><rootFolder type=\"Folder\">group-d1</rootFolder>"
    "<propertyCollector type=\"PropertyCollector\">propertyCollector</propertyCollector>"
    "<viewManager type=\"ViewManager\">ViewManager</viewManager>"
    "<about><name>VMware vCenter Server</name><fullName>VMware vCenter Server 6.5.0 build-5973321</fullName>"
    "<vendor>VMware, Inc.</vendor><version>6.5.0</version><build>5973321</build>"
    "<localeVersion>INTL</localeVersion><localeBuild>000</localeBuild><osType>linux-x64</osType>"
    "<productLineId>vpx</productLineId><apiType>VirtualCenter</apiType><apiVersion>6.5</apiVersion>"
    "<instanceUuid>6f1c1c1e-8d0a-4c55-9a57-5e0f6a1e7a01</instanceUuid>"
    "<licenseProductName>VMware VirtualCenter Server</licenseProductName>"
    "<licenseProductVersion>6.0</licenseProductVersion></about>"
    "<setting type=\"OptionManager\">VpxSettings</setting>"
    "<userDirectory type=\"UserDirectory\">UserDirectory</userDirectory>"
    "<sessionManager type=\"SessionManager\">SessionManager</sessionManager>"
    "<searchIndex type=\"SearchIndex\">SearchIndex</searchIndex>"
    "<fileManager type=\"FileManager\">FileManager</fileManager>"
    "<ovfManager type=\"OvfManager\">OvfManager</ovfManager></returnval>";

}  // namespace

SoapLoopbackServer::SoapLoopbackServer(std::vector<SoapObject> objects, std::string username,
                                       std::string password)
    : objects_(std::move(objects)), username_(std::move(username)), password_(std::move(password)) {
    hypersdk::test::TlsLoopbackServer::Options options;
    options.common_name = "hypersdk soap loopback";
    server_ = std::make_unique<hypersdk::test::TlsLoopbackServer>(
        [this](const hypersdk::test::HttpRequest& request, hypersdk::test::HttpConnection& connection) {
            const Reply reply = request.method == "POST" && request.target == "/sdk"
                                    ? handle(request.body, request.header("cookie").value_or(""))
                                    : Reply{404, "not found", {}};
            std::string head = "HTTP/1.1 " + std::to_string(reply.status) +
                               (reply.status == 200   ? " OK"
                                : reply.status == 500 ? " Internal Server Error"
                                                      : " Not Found") +
                               "\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
                               std::to_string(reply.body.size()) + "\r\n";
            if (!reply.set_cookie.empty()) head += "Set-Cookie: " + reply.set_cookie + "\r\n";
            return connection.write_all(head + "\r\n" + reply.body);
        },
        options);
    url_ = server_->base_url() + "/sdk";
}

SoapLoopbackServer::~SoapLoopbackServer() {
    server_.reset();  // stops and joins its threads while the state they use is alive
}

std::vector<SoapRequest> SoapLoopbackServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::vector<std::string> SoapLoopbackServer::issued_tokens() const {
    std::lock_guard lock(mutex_);
    return issued_;
}

size_t SoapLoopbackServer::open_tokens() const {
    std::lock_guard lock(mutex_);
    return cursors_.size();
}

SoapLoopbackServer::Reply SoapLoopbackServer::handle(const std::string& body, const std::string& cookie) {
    pugi::xml_document doc;
    if (!doc.load_buffer(body.data(), body.size())) return {500, fault("InvalidRequest", "not XML"), {}};
    const pugi::xml_node call = first_element(first_element(doc.document_element(), "Body"));
    SoapRequest request;
    request.method = std::string(local_name(call));
    request.token = first_element(call, "token").text().as_string();
    if (auto max = first_element(first_element(call, "options"), "maxObjects"))
        request.max_objects = max.text().as_int();

    std::lock_guard lock(mutex_);
    request.authenticated =
        !session_key_.empty() && cookie.find("vmware_soap_session=" + session_key_) != std::string::npos;
    requests_.push_back(request);
    const std::string& method = request.method;
    const std::string self = first_element(call, "_this").text().as_string();

    if (method == "RetrieveServiceContent") return {200, response(method, kServiceContent), {}};
    if (method == "Login") {
        if (std::string(first_element(call, "userName").text().as_string()) != username_ ||
            std::string(first_element(call, "password").text().as_string()) != password_)
            return {500, fault("InvalidLogin", "Login failure"), {}};
        session_key_ = random_hex(16);
        return {
            200,
            response(method, "<returnval><key>" + session_key_ + "</key><userName>" + xml_escape(username_) +
                                 "</userName><fullName>" + xml_escape(username_) +
                                 "</fullName><locale>en_US</locale><messageLocale>en_US</messageLocale>"
                                 "<extensionSession>false</extensionSession><ipAddress>127.0.0.1</ipAddress>"
                                 "<callCount>1</callCount></returnval>"),
            "vmware_soap_session=" + session_key_ + "; HttpOnly"};
    }
    if (!request.authenticated)
        return {
            500,
            fault("NotAuthenticated", "The session is not authenticated.",
                  "<object type=\"" + xml_escape(first_element(call, "_this").attribute("type").as_string()) +
                      "\">" + xml_escape(self) + "</object><privilegeId>System.View</privilegeId>"),
            {}};
    if (method == "Logout") {
        session_key_.clear();
        return {200, response(method, ""), {}};
    }
    if (self != "propertyCollector" ||
        (method != "RetrievePropertiesEx" && method != "ContinueRetrievePropertiesEx" &&
         method != "CancelRetrievePropertiesEx"))
        return {500, fault("MethodNotFound", self + " does not implement: " + method), {}};

    if (method == "RetrievePropertiesEx") {
        Cursor cursor;
        cursor.page_size =
            request.max_objects > 0 ? static_cast<size_t>(request.max_objects) : kDefaultPageSize;
        for (auto spec : first_element(call, "specSet").children())
            if (local_name(spec) == "propSet")
                for (auto path : spec.children())
                    if (local_name(path) == "pathSet") cursor.paths.push_back(path.text().as_string());
        return page(method, std::move(cursor));
    }
    auto it = cursors_.find(request.token);
    if (it == cursors_.end())
        return {500,
                fault("InvalidArgument", "A specified parameter was not correct: token",
                      "<invalidProperty>token</invalidProperty>"),
                {}};
    Cursor cursor = std::move(it->second);
    cursors_.erase(it);  // a token is good for one call
    if (method == "CancelRetrievePropertiesEx") return {200, response(method, ""), {}};
    return page(method, std::move(cursor));
}

SoapLoopbackServer::Reply SoapLoopbackServer::page(const std::string& method, Cursor cursor) {
    const size_t end = std::min(objects_.size(), cursor.next + cursor.page_size);
    std::string result = "<returnval>";
    // RetrieveResult in WSDL order: token, then objects.
    if (end < objects_.size()) {
        const std::string token = "pc-token-" + std::to_string(++token_counter_) + "-" + random_hex(6);
        issued_.push_back(token);
        result += "<token>" + token + "</token>";
        cursors_[token] = Cursor{end, cursor.page_size, cursor.paths};
    }
    for (size_t i = cursor.next; i < end; ++i) {
        const SoapObject& o = objects_[i];
        result += "<objects><obj type=\"" + xml_escape(o.type) + "\">" + xml_escape(o.value) + "</obj>";
        for (const auto& path : cursor.paths)
            if (path == "name")
                result +=
                    "<propSet><name>name</name><val xmlns:XMLSchema-instance=\"http://www.w3.org/2001/"
                    "XMLSchema-instance\" XMLSchema-instance:type=\"xsd:string\">" +
                    xml_escape(o.name) + "</val></propSet>";
        result += "</objects>";
    }
    return {200, response(method, result + "</returnval>"), {}};
}

}  // namespace hypersdk::vsphere::test
