#include "instance_export.hpp"

#include <cctype>

namespace hypersdk::gcp {

std::string temporary_image_name(const std::string& instance, size_t index, const std::string& run_id) {
    std::string stem;
    for (char c : instance) {
        const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        stem += ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) ? l : '-';
    }
    const std::string tail = "-" + std::to_string(index) + "-" + run_id;
    stem = "hx-" + stem.substr(0, 63 - 3 - tail.size());
    while (!stem.empty() && stem.back() == '-') stem.pop_back();
    return stem + tail;
}

InstanceExportResult export_instance(Api& api, Compute& compute, CloudBuild& build, Storage& storage,
                                     const std::string& zone, const std::string& name,
                                     const InstanceExportOptions& options,
                                     const InstanceExportCallbacks& cb) {
    const auto info = [&](const std::string& line) {
        if (cb.info) cb.info(line);
    };
    InstanceExportResult result;
    result.instance = compute.get_instance(zone, name);
    InstanceInfo& vm = result.instance;
    if (vm.status != "TERMINATED" && vm.status != "STOPPED") {
        // Exporting never changes the instance unless the user asked for exactly this.
        if (!options.power_off)
            throw Error(ErrorKind::invalid_state,
                        "instance " + name + " is " + vm.status +
                            "; pass --power-off to stop it for the export, or stop it "
                            "first (gcloud compute instances stop " +
                            name + " --zone " + zone + ")");
        info("stopping instance " + name);
        compute.stop_instance(zone, name);
        result.stopped_by_export = true;
        vm.status = "TERMINATED";
    }
    if (vm.disks.empty())
        throw Error(ErrorKind::invalid_state, "instance " + name + " has no disks to export");
    for (const auto& d : vm.disks)
        if (d.type == "local-ssd")
            throw Error(ErrorKind::invalid_state,
                        "instance " + name + " has a local SSD (" + d.device_name +
                            "), which Compute Engine cannot image; detach it or copy "
                            "its data to a persistent disk first");
    if (options.bucket.empty())
        throw Error(ErrorKind::config,
                    "no Cloud Storage bucket for the export: pass --gcs-bucket BUCKET (the "
                    "Cloud Build export writes each disk there), or --gcs-uri for disks "
                    "already exported");

    Intermediates intermediates(api, compute, build, storage, [&](bool warning, const std::string& line) {
        if (warning && cb.warn)
            cb.warn(line);
        else
            info(line);
    });
    intermediates.keep(options.keep_intermediate);
    const std::string run_id = random_uuid().substr(0, 8);
    const std::string extension = options.format.empty() ? ".tar.gz" : "." + options.format;

    // Images first (the disks of a stopped instance), then every build at once.
    std::vector<std::string> images, builds;
    for (size_t i = 0; i < vm.disks.size(); ++i) {
        const std::string image = temporary_image_name(name, i, run_id);
        info("creating image " + image + " of disk " + vm.disks[i].name);
        intermediates.add_image(image);
        images.push_back(compute.create_image(image, vm.disks[i].zone, vm.disks[i].name));
        ExportedDisk exported;
        exported.disk = &vm.disks[i];
        exported.object = {
            options.bucket,
            "hypersdk-export/" + images.back().substr(images.back().rfind('/') + 1) + extension};
        result.disks.push_back(exported);
    }
    for (size_t i = 0; i < images.size(); ++i) {
        ImageExportRequest r{compute.project(), images[i], result.disks[i].object.text(),
                             options.format,    zone,      options.build_timeout};
        intermediates.add_object(result.disks[i].object);
        builds.push_back(build.start_image_export(r));
        intermediates.add_build(builds.back());
        info("Cloud Build build " + builds.back() + " exports " + images[i] + " to " + r.destination_uri);
    }
    for (size_t i = 0; i < builds.size(); ++i) {
        try {
            build.wait(compute.project(), builds[i], options.build_timeout,
                       [&](const std::string& status, std::chrono::seconds elapsed) {
                           info("build " + builds[i] + " (disk " + vm.disks[i].name + "): " + status +
                                " after " + std::to_string(elapsed.count()) + " s");
                       });
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::operation)
                intermediates.build_finished(builds[i]);  // it ended: nothing to cancel
            throw;
        }
        intermediates.build_finished(builds[i]);
    }
    for (size_t i = 0; i < result.disks.size(); ++i) {
        auto& d = result.disks[i];
        const ObjectInfo object = storage.stat(d.object);
        info("downloading " + d.object.text() + " (" + std::to_string(object.size) + " bytes)" +
             (is_native_export(d.object.object) ? ", unpacking disk.raw on the fly" : ""));
        http::Sink& sink = cb.open_sink(i, *d.disk, d.object, object);
        d.download = download_disk_object(storage, d.object, object, sink, options.download);
        if (d.download.unpacked && d.download.disk_bytes != d.disk->size_bytes)
            throw Error(ErrorKind::archive, d.object.text() + " holds a disk of " +
                                                std::to_string(d.download.disk_bytes) + " bytes, but disk " +
                                                d.disk->name + " has " + std::to_string(d.disk->size_bytes));
        cb.commit_sink(i);
    }
    intermediates.cleanup();
    return result;
}

}  // namespace hypersdk::gcp
