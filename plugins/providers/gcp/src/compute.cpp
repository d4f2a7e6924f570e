#include "compute.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>

#include "endpoint.hpp"
#include "hypersdk/plugin_common/json_access.hpp"

namespace hypersdk::gcp {
namespace pc = hypersdk::plugin_common;

namespace {

constexpr int kMaxPages = 10000;  // a server that never stops paging is refused

std::string str(const rapidjson::Value& v, const char* key) {
    return pc::get_string(v, key, "").value_or("");
}

// Compute writes 64-bit numbers as JSON strings ("sizeGb": "10").
int64_t int64_member(const rapidjson::Value& v, const char* key) {
    const auto* m = pc::find_member(v, key);
    if (m == nullptr) return 0;
    if (m->IsInt64()) return m->GetInt64();
    if (m->IsString()) {
        try {
            size_t used = 0;
            const long long n = std::stoll(m->GetString(), &used);
            if (used == m->GetStringLength() && n >= 0) return n;
        } catch (const std::exception&) {
        }
    }
    throw Error(ErrorKind::protocol, std::string("Compute Engine answered a non-numeric \"") + key + "\"");
}

std::vector<std::string> features(const rapidjson::Value& v) {
    std::vector<std::string> out;
    if (const auto* list = pc::find_member(v, "guestOsFeatures"); list && list->IsArray())
        for (const auto& f : list->GetArray())
            if (f.IsObject()) out.push_back(str(f, "type"));
    return out;
}

std::string mac_for_ip(const std::string& ip) {
    unsigned a, b, c, d;
    char extra;
    if (std::sscanf(ip.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4 || a > 255 || b > 255 ||
        c > 255 || d > 255)
        return "";
    char mac[18];
    std::snprintf(mac, sizeof mac, "42:01:%02x:%02x:%02x:%02x", a, b, c, d);
    return mac;
}

std::string operation_errors(const rapidjson::Value& op) {
    std::string text;
    if (const auto* error = pc::find_member(op, "error"); error && error->IsObject())
        if (const auto* errors = pc::find_member(*error, "errors"); errors && errors->IsArray())
            for (const auto& e : errors->GetArray()) {
                if (!e.IsObject()) continue;
                if (!text.empty()) text += "; ";
                const std::string code = str(e, "code");
                text += (code.empty() ? "" : code + ": ") + str(e, "message");
            }
    if (text.empty() && op.HasMember("error")) text = "the operation failed without details";
    const std::string http_message = str(op, "httpErrorMessage");
    if (!text.empty() && !http_message.empty()) text += " (" + http_message + ")";
    for (char& ch : text)
        if (ch == '\n' || ch == '\r') ch = ' ';
    return text;
}

}  // namespace

std::string last_segment(const std::string& url) {
    const auto slash = url.find_last_of('/');
    return slash == std::string::npos ? url : url.substr(slash + 1);
}

std::string power_state_for(const std::string& status) {
    if (status == "RUNNING") return "poweredOn";
    if (status == "TERMINATED" || status == "STOPPED") return "poweredOff";
    if (status == "SUSPENDED") return "suspended";
    return "unknown";
}

Compute::Compute(Api& api, std::string endpoint, std::string project, OperationPolling polling)
    : api_(api),
      endpoint_(trim_endpoint(std::move(endpoint))),
      project_(std::move(project)),
      polling_(polling) {
    check_endpoint(endpoint_, "the Compute Engine endpoint (--compute-endpoint)");
    if (project_.empty())
        throw Error(ErrorKind::config,
                    "no Google Cloud project given: pass --project, or set GOOGLE_CLOUD_PROJECT or "
                    "CLOUDSDK_CORE_PROJECT, or use a key file with a project_id");
}

std::pair<int, int64_t> Compute::machine_type(const std::string& url) {
    if (auto it = machine_types_.find(url); it != machine_types_.end()) return it->second;
    // The instance names its machine type by URL; ask our endpoint for the same path.
    const auto at = url.find("/projects/");
    if (at == std::string::npos) throw Error(ErrorKind::protocol, "unexpected machine type URL " + url);
    const auto doc = api_.get(endpoint_ + url.substr(at), "get machine type " + last_segment(url));
    const auto result =
        std::make_pair(static_cast<int>(pc::get_int(doc, "guestCpus", "", 0, 1 << 20).value_or(0)),
                       pc::get_int(doc, "memoryMb", "", 0).value_or(0));
    machine_types_[url] = result;
    return result;
}

InstanceInfo Compute::parse_instance(const rapidjson::Value& v, bool with_disks) {
    InstanceInfo vm;
    try {
        vm.id = str(v, "id");
        vm.name = str(v, "name");
        vm.zone = last_segment(str(v, "zone"));
        vm.status = str(v, "status");
        const std::string type_url = str(v, "machineType");
        vm.machine_type = last_segment(type_url);
        if (!type_url.empty()) std::tie(vm.cpus, vm.memory_mb) = machine_type(type_url);
        if (const auto* shielded = pc::get_object(v, "shieldedInstanceConfig", "")) {
            vm.secure_boot = pc::get_bool(*shielded, "enableSecureBoot", "").value_or(false);
            vm.vtpm = pc::get_bool(*shielded, "enableVtpm", "").value_or(false);
        }
        if (const auto* nics = pc::get_array(v, "networkInterfaces", "")) {
            for (const auto& n : nics->GetArray()) {
                if (!n.IsObject()) continue;
                NicInfo nic{str(n, "name"), last_segment(str(n, "network")), str(n, "networkIP"), ""};
                nic.mac = mac_for_ip(nic.ip);
                vm.nics.push_back(nic);
            }
        }
        if (const auto* disks = pc::get_array(v, "disks", "")) {
            for (const auto& d : disks->GetArray()) {
                if (!d.IsObject()) continue;
                DiskInfo disk;
                disk.device_name = str(d, "deviceName");
                disk.boot = pc::get_bool(d, "boot", "").value_or(false);
                disk.index = static_cast<int>(pc::get_int(d, "index", "", 0, 1024).value_or(0));
                disk.interface = str(d, "interface");
                disk.size_bytes = static_cast<uint64_t>(int64_member(d, "diskSizeGb")) << 30;
                disk.guest_os_features = features(d);
                const std::string source = str(d, "source");
                if (str(d, "type") == "SCRATCH" || source.empty()) {
                    // Local SSDs cannot be imaged; the export says so if asked.
                    disk.name = disk.device_name;
                    disk.type = "local-ssd";
                } else {
                    disk.name = last_segment(source);
                    const auto zones = source.find("/zones/");
                    disk.zone = zones == std::string::npos
                                    ? vm.zone
                                    : last_segment(source.substr(0, source.find("/disks/")));
                }
                vm.disks.push_back(disk);
            }
        }
    } catch (const pc::JsonError& e) {
        throw Error(ErrorKind::protocol, "instance " + vm.name + ": " + e.what());
    }
    std::stable_sort(vm.disks.begin(), vm.disks.end(), [](const DiskInfo& a, const DiskInfo& b) {
        if (a.boot != b.boot) return a.boot;
        return a.index < b.index;
    });
    if (with_disks) {
        for (auto& disk : vm.disks) {
            if (disk.type == "local-ssd") continue;
            const auto d = api_.get(project_url() + "/zones/" + disk.zone + "/disks/" + url_encode(disk.name),
                                    "get disk " + disk.name);
            disk.size_bytes = static_cast<uint64_t>(int64_member(d, "sizeGb")) << 30;
            disk.type = last_segment(str(d, "type"));
            disk.architecture = str(d, "architecture");
            if (auto f = features(d); !f.empty()) disk.guest_os_features = f;
        }
    }
    if (!vm.disks.empty() && vm.disks.front().boot) vm.guest_os_features = vm.disks.front().guest_os_features;
    // Shielded VM implies UEFI; otherwise the boot disk's UEFI_COMPATIBLE feature decides.
    vm.uefi = pc::find_member(v, "shieldedInstanceConfig") != nullptr ||
              std::find(vm.guest_os_features.begin(), vm.guest_os_features.end(), "UEFI_COMPATIBLE") !=
                  vm.guest_os_features.end();
    return vm;
}

InstanceInfo Compute::get_instance(const std::string& zone, const std::string& name) {
    const auto doc = api_.get(project_url() + "/zones/" + url_encode(zone) + "/instances/" + url_encode(name),
                              "get instance " + name + " in zone " + zone + " of project " + project_);
    return parse_instance(doc, true);
}

std::vector<InstanceInfo> Compute::list_instances(const std::string& zone) {
    std::vector<InstanceInfo> out;
    std::string token;
    for (int page = 0; page < kMaxPages; ++page) {
        const std::string base = zone.empty() ? project_url() + "/aggregated/instances"
                                              : project_url() + "/zones/" + url_encode(zone) + "/instances";
        const auto doc = api_.get(
            base + (token.empty() ? "" : "?pageToken=" + url_encode(token)),
            zone.empty() ? "list instances of project " + project_ : "list instances in zone " + zone);
        if (const auto* items = pc::find_member(doc, "items")) {
            if (zone.empty() && items->IsObject()) {
                for (const auto& scope : items->GetObject())
                    if (const auto* list = pc::find_member(scope.value, "instances"); list && list->IsArray())
                        for (const auto& i : list->GetArray()) out.push_back(parse_instance(i, false));
            } else if (items->IsArray()) {
                for (const auto& i : items->GetArray()) out.push_back(parse_instance(i, false));
            } else {
                throw Error(ErrorKind::protocol, "Compute Engine answered instance items of the wrong type");
            }
        }
        token = str(doc, "nextPageToken");
        if (token.empty()) return out;
    }
    throw Error(ErrorKind::protocol,
                "the instance list did not end after " + std::to_string(kMaxPages) + " pages");
}

std::string Compute::find_instance_zone(const std::string& name) {
    std::vector<std::string> zones;
    for (const auto& vm : list_instances(""))
        if (vm.name == name) zones.push_back(vm.zone);
    if (zones.empty())
        throw Error(ErrorKind::not_found, "no instance named " + name + " in project " + project_ +
                                              "; 'hyperexport vms --provider gcp' lists them");
    if (zones.size() > 1)
        throw Error(ErrorKind::config, "instance name " + name + " exists in zones " + zones[0] + " and " +
                                           zones[1] + "; pass --zone");
    return zones.front();
}

void Compute::wait_operation(const rapidjson::Value& operation, const std::string& what) {
    const std::string name = str(operation, "name");
    if (name.empty()) throw Error(ErrorKind::protocol, what + ": the answer is not an operation");
    const std::string zone = last_segment(str(operation, "zone"));
    const std::string url =
        project_url() + (zone.empty() ? "/global" : "/zones/" + zone) + "/operations/" + url_encode(name);
    auto& clock = api_.client().clock();
    const auto deadline = clock.now() + polling_.timeout;
    auto delay = polling_.first;
    rapidjson::Document current;
    current.CopyFrom(operation, current.GetAllocator());
    while (str(current, "status") != "DONE") {
        if (clock.now() >= deadline)
            throw Error(ErrorKind::timeout, what + ": operation " + name + " not done after " +
                                                std::to_string(polling_.timeout.count()) + " s");
        if (!clock.sleep_for(delay, api_.cancelled()))
            throw Error(ErrorKind::cancelled, what + " cancelled while waiting for operation " + name);
        delay = std::min(polling_.max, delay * 2);
        current = api_.get(url, "poll operation " + name);
    }
    if (const std::string errors = operation_errors(current); !errors.empty())
        throw Error(ErrorKind::operation, what + " failed: " + errors);
}

void Compute::stop_instance(const std::string& zone, const std::string& name) {
    const auto op = api_.call(
        "POST", project_url() + "/zones/" + url_encode(zone) + "/instances/" + url_encode(name) + "/stop", "",
        "stop instance " + name);
    wait_operation(op, "stopping instance " + name);
}

std::string Compute::create_image(const std::string& image, const std::string& zone,
                                  const std::string& disk) {
    rapidjson::StringBuffer body;
    rapidjson::Writer<rapidjson::StringBuffer> w(body);
    const std::string source = "projects/" + project_ + "/zones/" + zone + "/disks/" + disk;
    w.StartObject();
    w.Key("name");
    w.String(image.c_str());
    w.Key("sourceDisk");
    w.String(source.c_str());
    w.Key("description");
    w.String("temporary image of a disk being exported by hypersdk; safe to delete");
    w.Key("labels");
    w.StartObject();
    w.Key("hypersdk-export");
    w.String("temporary");
    w.EndObject();
    w.EndObject();
    // requestId: Compute ignores a repeat of the same insert, so it may be retried.
    const auto op = api_.call("POST", project_url() + "/global/images?requestId=" + random_uuid(),
                              body.GetString(), "create image " + image + " from disk " + disk, true);
    wait_operation(op, "creating image " + image + " from disk " + disk);
    return "projects/" + project_ + "/global/images/" + image;
}

void Compute::delete_image(const std::string& image) {
    const auto op = api_.call("DELETE", project_url() + "/global/images/" + url_encode(image), "",
                              "delete image " + image);
    wait_operation(op, "deleting image " + image);
}

}  // namespace hypersdk::gcp
