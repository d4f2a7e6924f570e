// What an export creates on the way and must not leave behind: temporary
// images, Cloud Build builds and Cloud Storage objects. Recorded as they are
// made and removed when the export ends, successfully or not (also after a
// Ctrl-C: the API's cancel check is turned off for the cleanup), unless the
// user asked to keep them. A cleanup that fails says exactly what to delete by hand.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cloud_build.hpp"
#include "compute.hpp"
#include "storage.hpp"

namespace hypersdk::gcp {

class Intermediates {
public:
    using Report = std::function<void(bool warning, const std::string& message)>;
    Intermediates(Api& api, Compute& compute, CloudBuild& build, Storage& storage, Report report);
    ~Intermediates();  // cleanup(), never throws
    Intermediates(const Intermediates&) = delete;
    Intermediates& operator=(const Intermediates&) = delete;

    void add_image(const std::string& name) { images_.push_back(name); }
    void add_build(const std::string& id) { builds_.push_back({id, false}); }
    void build_finished(const std::string& id);
    void add_object(const GcsUri& uri) { objects_.push_back(uri); }

    // --keep-intermediate: nothing is deleted; cleanup() lists what remains.
    void keep(bool keep) { keep_ = keep; }
    // Cancels unfinished builds, deletes objects then images; each failure is
    // reported (warning) with the command that deletes it by hand. Idempotent.
    void cleanup() noexcept;
    // What cleanup() could not delete (tests).
    const std::vector<std::string>& left_behind() const { return left_behind_; }

private:
    struct Build {
        std::string id;
        bool finished;
    };
    Api& api_;
    Compute& compute_;
    CloudBuild& build_;
    Storage& storage_;
    Report report_;
    bool keep_ = false;
    bool done_ = false;
    std::vector<std::string> images_;
    std::vector<Build> builds_;
    std::vector<GcsUri> objects_;
    std::vector<std::string> left_behind_;
};

}  // namespace hypersdk::gcp
