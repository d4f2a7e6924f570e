#include "cloud_build.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "endpoint.hpp"
#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::gcp {
namespace pc = hypersdk::plugin_common;

CloudBuild::CloudBuild(Api& api, std::string endpoint, BuildPolling polling)
    : api_(api), endpoint_(trim_endpoint(std::move(endpoint))), polling_(polling) {
    check_endpoint(endpoint_, "the Cloud Build endpoint (--cloudbuild-endpoint)");
}

std::string CloudBuild::build_body(const ImageExportRequest& r) {
    rapidjson::StringBuffer out;
    rapidjson::Writer<rapidjson::StringBuffer> w(out);
    const auto arg = [&w](const std::string& text) { w.String(text.c_str()); };
    // The workflow gets a little less than the build, as gcloud leaves it time to clean up.
    const auto workflow_timeout = std::max<int64_t>(60, r.timeout.count() - r.timeout.count() / 50);
    w.StartObject();
    w.Key("steps");
    w.StartArray();
    w.StartObject();
    w.Key("name");
    w.String(kImageExportBuilder);
    w.Key("args");
    w.StartArray();
    arg("-timeout=" + std::to_string(workflow_timeout) + "s");
    arg("-source_image=" + r.source_image);
    arg("-client_id=api");
    if (!r.format.empty()) arg("-format=" + r.format);
    arg("-destination_uri=" + r.destination_uri);
    if (!r.zone.empty()) arg("-zone=" + r.zone);
    arg("-client_version=hypersdk");
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.Key("timeout");
    w.String((std::to_string(r.timeout.count()) + "s").c_str());
    w.Key("tags");
    w.StartArray();
    w.String("gce-daisy");
    w.String("gce-daisy-image-export");
    w.EndArray();
    w.EndObject();
    return out.GetString();
}

std::string CloudBuild::start_image_export(const ImageExportRequest& request) {
    const auto op = api_.call("POST", endpoint_ + "/projects/" + url_encode(request.project) + "/builds",
                              build_body(request), "start the Cloud Build export of " + request.source_image);
    // An Operation whose metadata (BuildOperationMetadata) holds the build.
    std::string id;
    if (const auto* metadata = pc::find_member(op, "metadata"); metadata && metadata->IsObject())
        if (const auto* build = pc::find_member(*metadata, "build"); build && build->IsObject())
            id = pc::get_string(*build, "id", "").value_or("");
    if (id.empty())
        throw Error(ErrorKind::protocol, "Cloud Build answered the export of " + request.source_image +
                                             " without a build id in metadata.build.id");
    return id;
}

void CloudBuild::wait(const std::string& project, const std::string& build_id, std::chrono::seconds timeout,
                      const std::function<void(const std::string&, std::chrono::seconds)>& on_status) {
    auto& clock = api_.client().clock();
    const auto started = clock.now();
    auto delay = polling_.first;
    std::string last;
    const std::string url =
        endpoint_ + "/projects/" + url_encode(project) + "/builds/" + url_encode(build_id);
    for (;;) {
        const auto build = api_.get(url, "poll Cloud Build build " + build_id);
        const std::string status = pc::get_string(build, "status", "").value_or("");
        const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock.now() - started);
        if (status != last && on_status) on_status(status, elapsed);
        last = status;
        if (status == "SUCCESS") return;
        if (status != "QUEUED" && status != "WORKING" && status != "PENDING" && status != "STATUS_UNKNOWN") {
            std::string detail = pc::get_string(build, "statusDetail", "").value_or("");
            for (char& c : detail)
                if (c == '\n' || c == '\r') c = ' ';
            const std::string log_url = pc::get_string(build, "logUrl", "").value_or("");
            throw Error(ErrorKind::operation, "Cloud Build build " + build_id + " ended " +
                                                  (status.empty() ? "without a status" : status) +
                                                  (detail.empty() ? "" : ": " + detail) +
                                                  (log_url.empty() ? "" : " (log: " + log_url + ")"));
        }
        if (elapsed >= timeout)
            throw Error(ErrorKind::timeout, "Cloud Build build " + build_id + " still " + status + " after " +
                                                std::to_string(elapsed.count()) + " s");
        if (!clock.sleep_for(delay, api_.cancelled()))
            throw Error(ErrorKind::cancelled, "cancelled while waiting for Cloud Build build " + build_id);
        delay = std::min(polling_.max, delay * 2);
    }
}

void CloudBuild::cancel(const std::string& project, const std::string& build_id) {
    api_.call("POST",
              endpoint_ + "/projects/" + url_encode(project) + "/builds/" + url_encode(build_id) + ":cancel",
              "{}", "cancel Cloud Build build " + build_id);
}

}  // namespace hypersdk::gcp
