#include "intermediates.hpp"

namespace hypersdk::gcp {

Intermediates::Intermediates(Api& api, Compute& compute, CloudBuild& build, Storage& storage, Report report)
    : api_(api), compute_(compute), build_(build), storage_(storage), report_(std::move(report)) {}

Intermediates::~Intermediates() {
    cleanup();
}

void Intermediates::build_finished(const std::string& id) {
    for (auto& b : builds_)
        if (b.id == id) b.finished = true;
}

void Intermediates::cleanup() noexcept {
    if (done_) return;
    done_ = true;
    const auto say = [this](bool warning, const std::string& message) {
        try {
            if (report_) report_(warning, message);
        } catch (...) {
        }
    };
    if (keep_) {
        for (const auto& o : objects_)
            say(false, "kept intermediate object " + o.text() + " (--keep-intermediate)");
        for (const auto& i : images_)
            say(false, "kept intermediate image " + i + " of project " + compute_.project() +
                           " (--keep-intermediate)");
        return;
    }
    // A Ctrl-C stopped the export; the cleanup must still run to the end.
    const http::CancelFn cancelled = api_.cancelled();
    api_.set_cancelled({});
    const auto attempt = [&](const std::string& what, const std::string& by_hand,
                             const std::function<void()>& fn) {
        try {
            fn();
            say(false, "deleted " + what);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found) return;  // already gone
            left_behind_.push_back(what);
            say(true, "could not delete " + what + ": " + e.what() + "; delete it with: " + by_hand);
        } catch (const std::exception& e) {
            left_behind_.push_back(what);
            say(true, "could not delete " + what + ": " + e.what() + "; delete it with: " + by_hand);
        }
    };
    for (const auto& b : builds_) {
        if (b.finished) continue;
        attempt("Cloud Build build " + b.id + " (cancelled)",
                "gcloud builds cancel " + b.id + " --project " + compute_.project(),
                [&] { build_.cancel(compute_.project(), b.id); });
    }
    for (const auto& o : objects_)
        attempt("intermediate object " + o.text(), "gcloud storage rm " + o.text(),
                [&] { storage_.remove(o); });
    for (const auto& i : images_)
        attempt("intermediate image " + i,
                "gcloud compute images delete " + i + " --project " + compute_.project(),
                [&] { compute_.delete_image(i); });
    api_.set_cancelled(cancelled);
}

}  // namespace hypersdk::gcp
