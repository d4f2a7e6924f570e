#include "vm_export.hpp"

#include <hypersdk/http/host_sink.hpp>
#include <hypersdk/provider/error.hpp>
#include <hypersdk/provider/sink_artifact.hpp>

#include <map>
#include <memory>

#include "gcs_disk_download.hpp"
#include "instance_export.hpp"
#include "vm_documents.hpp"

namespace hypersdk::gcp::plugin {
namespace pk = hypersdk::provider;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// What the sink holds for an object: the native export unpacks to raw.
std::string format_of_object(const GcsUri& uri) {
    if (is_native_export(uri.object) || ends_with(uri.object, ".raw") || ends_with(uri.object, ".img"))
        return "raw";
    for (const char* f : {"vmdk", "qcow2", "vhdx", "vhd"})
        if (ends_with(uri.object, std::string(".") + f)) return f;
    throw pk::Error(pk::ErrorKind::unsupported,
                    uri.text() +
                        ": cannot tell the disk format from the name; give a .tar.gz (Compute Engine's "
                        "native export), .vmdk, .qcow2, .vhdx, .vhd or .raw object");
}

// A .part of other bytes is never resumed into this file: the object and its generation name the bytes.
std::string source_key(const GcsUri& uri, const ObjectInfo& object) {
    return "gcp:" + uri.text() + "#generation " + object.generation + ":size " + std::to_string(object.size) +
           ":md5 " + object.md5_base64;
}

struct Sinks {
    const cxx::Job& job;
    std::string stem;
    std::map<size_t, std::unique_ptr<http::HostSink>> open;
    std::vector<pk::ExportedFile> files;

    http::Sink& open_sink(size_t index, const GcsUri& uri, const ObjectInfo& object,
                          std::optional<uint64_t> disk_size) {
        pk::SinkArtifact a;
        a.id = "disk-" + std::to_string(index);
        a.format = format_of_object(uri);
        a.file_name = stem + "-" + a.id + "." + a.format;
        if (!is_native_export(uri.object)) {
            a.expected_bytes = a.exact_bytes = object.size;
        } else if (disk_size) {
            a.expected_bytes = a.exact_bytes = *disk_size;  // disk.raw is exactly the disk
        }
        a.source_key = source_key(uri, object);
        open[index] = std::make_unique<http::HostSink>(job, pk::artifact_json(a));
        files.push_back({"disk", a.id, a.file_name, a.format, 0});
        return *open[index];
    }
    void commit(size_t index) {
        files[index].bytes = open[index]->offset();
        open[index]->commit();
    }
};

GcsDiskDownloadOptions download_options(const ExportOptions& options, const cxx::Job& job) {
    GcsDiskDownloadOptions o;
    o.workers = options.parallel;
    o.progress = [&job](uint64_t done, uint64_t total) { job.progress(done, total); };
    o.is_cancelled = [&job] { return job.cancelled(); };
    return o;
}

pk::ExportResult export_existing_objects(GcpSession& s, const std::string& vm_ref,
                                         const ExportOptions& options, const cxx::Job& job) {
    pk::ExportResult result;
    std::optional<InstanceInfo> vm;
    try {
        const auto [zone, name] = locate_instance(s, vm_ref);
        vm = s.compute->get_instance(zone, name);
    } catch (const Error& e) {
        // The disks were exported before; the instance may be gone since.
        if (e.kind() != ErrorKind::not_found) throw;
        cxx::log(HYPERSDK_LOG_INFO,
                 "instance " + vm_ref + " not found; describing it from the --gcs-uri objects");
    }
    if (vm && vm->disks.size() != s.config.gcs_uris.size())
        throw pk::Error(pk::ErrorKind::config,
                        "instance " + vm->name + " has " + std::to_string(vm->disks.size()) + " disks but " +
                            std::to_string(s.config.gcs_uris.size()) +
                            " --gcs-uri objects were given; give one per disk, boot disk first");
    const std::string format = format_of_object(parse_gcs_uri(s.config.gcs_uris.front()));
    result.vm = vm ? vm_description(*vm, s.config.project, format) : pk::VmDescription{};
    if (!vm) {
        result.vm.id = result.vm.name = split_vm_ref(vm_ref).second;
        result.vm.firmware = "unknown";
    }
    Sinks sinks{job, pk::file_stem(result.vm.name), {}, {}};
    for (size_t i = 0; i < s.config.gcs_uris.size(); ++i) {
        const GcsUri uri = parse_gcs_uri(s.config.gcs_uris[i]);
        const ObjectInfo object = s.storage->stat(uri);
        std::optional<uint64_t> disk_size;
        if (vm) disk_size = vm->disks[i].size_bytes;
        cxx::log(HYPERSDK_LOG_INFO,
                 "downloading " + uri.text() + " (" + std::to_string(object.size) + " bytes)");
        http::Sink& sink = sinks.open_sink(i, uri, object, disk_size);
        const auto d = download_disk_object(*s.storage, uri, object, sink, download_options(options, job));
        if (!vm) {
            pk::DiskDescription disk;
            disk.id = "disk-" + std::to_string(i);
            disk.capacity_bytes = d.disk_bytes;
            disk.format = sinks.files[i].format;
            if (i == 0) disk.boot_order_hint = 0;
            disk.source = uri.text();
            result.vm.disks.push_back(disk);
        }
        sinks.commit(i);
    }
    result.files = sinks.files;
    result.export_method = "gcs-object";
    result.notes.push_back("disks downloaded from Cloud Storage objects exported earlier (--gcs-uri)");
    return result;
}

}  // namespace

std::pair<std::string, std::string> locate_instance(GcpSession& s, const std::string& vm_ref) {
    auto [zone, name] = split_vm_ref(vm_ref);
    if (zone.empty()) zone = s.config.zone;
    if (zone.empty()) zone = s.compute->find_instance_zone(name);
    return {zone, name};
}

pk::ExportResult export_vm_to_sinks(GcpSession& s, const std::string& vm_ref, const ExportOptions& options,
                                    const cxx::Job& job) {
    // Every API call of this export stops on Ctrl-C; the cleanup turns it off again.
    s.api->set_cancelled([&job] { return job.cancelled(); });
    struct Reset {
        Api& api;
        ~Reset() { api.set_cancelled({}); }
    } reset{*s.api};
    if (!s.config.gcs_uris.empty()) return export_existing_objects(s, vm_ref, options, job);

    const auto [zone, name] = locate_instance(s, vm_ref);
    InstanceExportOptions o;
    o.power_off = options.power_off;
    o.bucket = s.config.gcs_bucket;
    o.format = options.format == "raw" ? "" : options.format;
    o.keep_intermediate = s.config.keep_intermediate;
    o.build_timeout = s.config.build_timeout;
    o.download = download_options(options, job);
    Sinks sinks{job, pk::file_stem(name), {}, {}};
    InstanceExportCallbacks cb;
    cb.open_sink = [&](size_t i, const DiskInfo& disk, const GcsUri& uri,
                       const ObjectInfo& object) -> http::Sink& {
        return sinks.open_sink(i, uri, object, disk.size_bytes);
    };
    cb.commit_sink = [&](size_t i) { sinks.commit(i); };
    cb.info = [](const std::string& line) { cxx::log(HYPERSDK_LOG_INFO, line); };
    cb.warn = [&job](const std::string& line) { job.warning("cleanup", line); };
    const InstanceExportResult r =
        export_instance(*s.api, *s.compute, *s.build, *s.storage, zone, name, o, cb);

    pk::ExportResult result;
    result.vm = vm_description(r.instance, s.config.project, options.format);
    result.files = sinks.files;
    result.powered_off_by_export = r.stopped_by_export;
    result.export_method = "cloud-build-image-export";
    result.notes.push_back(
        std::string("disks exported by Cloud Build's gce_vm_image_export to gs://") + o.bucket +
        "/hypersdk-export/" +
        (o.format.empty() ? " as disk.raw in .tar.gz, unpacked while downloading" : " as " + o.format) +
        (o.keep_intermediate ? "; intermediate images and objects kept"
                             : "; intermediate images and objects deleted"));
    return result;
}

}  // namespace hypersdk::gcp::plugin
