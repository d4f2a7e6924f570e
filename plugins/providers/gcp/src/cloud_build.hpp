// The image export `gcloud compute images export` runs: a Cloud Build build
// with one step, Google's gce_vm_image_export tool (a Daisy workflow that
// makes a disk from the image, attaches it to a worker VM and streams it to
// Cloud Storage: the native `disk.raw` in a .tar.gz, or through qemu-img to
// another format such as vmdk), polled until it ends, its status changes
// reported as progress.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "api.hpp"

namespace hypersdk::gcp {

// gcloud's builder image for exports.
inline constexpr const char* kImageExportBuilder = "gcr.io/compute-image-tools/gce_vm_image_export:release";

struct ImageExportRequest {
    std::string project;
    std::string source_image;     // projects/P/global/images/NAME
    std::string destination_uri;  // gs://bucket/object(.tar.gz|.vmdk)
    std::string format;           // "" for the native tar.gz, else vmdk, qcow2, ...
    std::string zone;             // where the worker runs
    std::chrono::seconds timeout{std::chrono::hours(2)};
};

struct BuildPolling {
    std::chrono::milliseconds first{1000};
    std::chrono::milliseconds max{std::chrono::seconds(10)};
};

class CloudBuild {
public:
    CloudBuild(Api& api, std::string endpoint, BuildPolling polling = {});

    // Creates the build and returns its id.
    std::string start_image_export(const ImageExportRequest& request);
    // Polls until SUCCESS (returns) or another final status (Error(operation)
    // with the status and statusDetail). `on_status` sees each new status.
    void wait(const std::string& project, const std::string& build_id, std::chrono::seconds timeout,
              const std::function<void(const std::string& status, std::chrono::seconds elapsed)>& on_status);
    // Best effort, for cleanup after a failure or Ctrl-C.
    void cancel(const std::string& project, const std::string& build_id);

    // The body gcloud sends for the same export (tests compare the peer's view).
    static std::string build_body(const ImageExportRequest& request);

private:
    Api& api_;
    std::string endpoint_;
    BuildPolling polling_;
};

}  // namespace hypersdk::gcp
