#include "ec2.hpp"

#include <hypersdk/xml/xml_limits.hpp>
#include <pugixml.hpp>

#include <cstdlib>

namespace hypersdk::aws {

namespace {

constexpr const char* kApiVersion = "2016-11-15";
// A page of 1000 instances with their devices is a few MB.
constexpr xml::XmlLimits kEc2XmlLimits{64u << 20, 4u << 20, 64};
// Pages followed at most (1000 items each): far beyond any account's limits.
constexpr int kMaxPages = 1000;

pugi::xml_node parse_answer(pugi::xml_document& doc, const std::string& xml, const char* what) {
    const std::string why = xml::parse_xml_limited(doc, xml, kEc2XmlLimits);
    if (!why.empty()) throw Error(ErrorKind::network, std::string("EC2's answer to ") + what + " is " + why);
    return doc.document_element();
}

// EC2 lists are <xSet><item>...</item></xSet>.
template <typename Fn>
void for_items(pugi::xml_node parent, const char* set, Fn&& fn) {
    for (pugi::xml_node item : parent.child(set).children("item")) fn(item);
}

std::string text(pugi::xml_node node, const char* child) {
    return node.child(child).text().as_string();
}

uint64_t number(pugi::xml_node node, const char* child) {
    return node.child(child).text().as_ullong();
}

Instance parse_instance(pugi::xml_node item) {
    Instance i;
    i.id = text(item, "instanceId");
    i.state = item.child("instanceState").child("name").text().as_string();
    i.type = text(item, "instanceType");
    i.architecture = text(item, "architecture");
    i.platform_details = text(item, "platformDetails");
    i.boot_mode = text(item, "currentInstanceBootMode");
    if (i.boot_mode.empty()) i.boot_mode = text(item, "bootMode");
    i.root_device_name = text(item, "rootDeviceName");
    i.image_id = text(item, "imageId");
    for_items(item, "tagSet", [&](pugi::xml_node tag) {
        if (text(tag, "key") == "Name") i.name = text(tag, "value");
    });
    for_items(item, "blockDeviceMapping", [&](pugi::xml_node bd) {
        const std::string volume = bd.child("ebs").child("volumeId").text().as_string();
        if (!volume.empty()) i.block_devices.push_back({text(bd, "deviceName"), volume});
    });
    for_items(item, "networkInterfaceSet", [&](pugi::xml_node nic) {
        i.nics.push_back({text(nic, "networkInterfaceId"), text(nic, "macAddress"), text(nic, "subnetId"),
                          text(nic, "privateIpAddress"),
                          nic.child("attachment").child("deviceIndex").text().as_int()});
    });
    return i;
}

Snapshot parse_snapshot(pugi::xml_node item) {
    Snapshot s;
    s.id = text(item, "snapshotId");
    s.volume_id = text(item, "volumeId");
    s.state = text(item, "status");
    if (s.state.empty()) s.state = text(item, "state");  // CreateSnapshots names it "state"
    s.progress = text(item, "progress");
    s.status_message = text(item, "statusMessage");
    s.volume_size_gib = number(item, "volumeSize");
    return s;
}

ExportTask parse_export_task(pugi::xml_node item) {
    ExportTask t;
    t.id = text(item, "exportTaskId");
    t.state = text(item, "state");
    t.status_message = text(item, "statusMessage");
    const pugi::xml_node s3 = item.child("exportToS3");
    t.s3_bucket = text(s3, "s3Bucket");
    t.s3_key = text(s3, "s3Key");
    t.disk_image_format = text(s3, "diskImageFormat");
    return t;
}

void add_list(QueryParams& params, const std::string& name, const std::vector<std::string>& values) {
    for (size_t i = 0; i < values.size(); ++i)
        params.emplace_back(name + "." + std::to_string(i + 1), values[i]);
}

}  // namespace

std::string query_body(const std::string& action, const QueryParams& params) {
    std::string body = "Action=" + aws_uri_encode(action) + "&Version=" + kApiVersion;
    for (const auto& [name, value] : params) body += "&" + aws_uri_encode(name) + "=" + aws_uri_encode(value);
    return body;
}

Ec2::Ec2(const Config& config, const Transport& transport)
    : reads_("ec2", config.ec2_endpoint, config, transport),
      mutations_("ec2", config.ec2_endpoint, config, transport, true) {}

std::string Ec2::call(const std::string& action, const QueryParams& params, bool mutating) {
    http::Request r;
    r.method = "POST";
    r.url = reads_.endpoint() + "/";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    r.body = query_body(action, params);
    r.retry_safe = true;  // the classifier decides what is sent again
    r.accept_compressed = true;
    r.timeout = std::chrono::minutes(2);
    return (mutating ? mutations_ : reads_).send(std::move(r), "ec2:" + action).body;
}

std::vector<Instance> parse_instances(const std::string& xml, std::string& next_token) {
    pugi::xml_document doc;
    const pugi::xml_node root = parse_answer(doc, xml, "DescribeInstances");
    std::vector<Instance> out;
    for_items(root, "reservationSet", [&](pugi::xml_node reservation) {
        for_items(reservation, "instancesSet",
                  [&](pugi::xml_node item) { out.push_back(parse_instance(item)); });
    });
    next_token = text(root, "nextToken");
    return out;
}

std::vector<Volume> parse_volumes(const std::string& xml, std::string& next_token) {
    pugi::xml_document doc;
    const pugi::xml_node root = parse_answer(doc, xml, "DescribeVolumes");
    std::vector<Volume> out;
    for_items(root, "volumeSet", [&](pugi::xml_node item) {
        out.push_back({text(item, "volumeId"), number(item, "size"), text(item, "volumeType"),
                       item.child("encrypted").text().as_bool()});
    });
    next_token = text(root, "nextToken");
    return out;
}

std::vector<Snapshot> parse_snapshots(const std::string& xml, const char* set_name) {
    pugi::xml_document doc;
    const pugi::xml_node root = parse_answer(doc, xml, "a snapshot call");
    std::vector<Snapshot> out;
    for_items(root, set_name, [&](pugi::xml_node item) { out.push_back(parse_snapshot(item)); });
    return out;
}

std::vector<ExportTask> parse_export_tasks(const std::string& xml) {
    pugi::xml_document doc;
    const pugi::xml_node root = parse_answer(doc, xml, "an export task call");
    std::vector<ExportTask> out;
    if (root.child("exportTask")) out.push_back(parse_export_task(root.child("exportTask")));
    for_items(root, "exportTaskSet", [&](pugi::xml_node item) { out.push_back(parse_export_task(item)); });
    return out;
}

std::vector<Instance> Ec2::describe_instances_paged(QueryParams params) {
    std::vector<Instance> all;
    std::string token;
    for (int page = 0; page < kMaxPages; ++page) {
        QueryParams p = params;
        if (!token.empty()) p.emplace_back("NextToken", token);
        auto items = parse_instances(call("DescribeInstances", p), token);
        all.insert(all.end(), items.begin(), items.end());
        if (token.empty()) return all;
    }
    throw Error(ErrorKind::network,
                "DescribeInstances did not stop paging after " + std::to_string(kMaxPages) + " pages");
}

void Ec2::check_credentials() {
    call("DescribeInstances", {{"MaxResults", "5"}});
}

std::vector<Instance> Ec2::describe_instances(const std::vector<std::string>& ids) {
    QueryParams p;
    add_list(p, "InstanceId", ids);
    if (ids.empty()) p.emplace_back("MaxResults", "1000");
    return describe_instances_paged(p);
}

std::vector<Instance> Ec2::find_instances_by_name(const std::string& name) {
    return describe_instances_paged(
        {{"Filter.1.Name", "tag:Name"}, {"Filter.1.Value.1", name}, {"MaxResults", "1000"}});
}

std::vector<Volume> Ec2::describe_volumes(const std::vector<std::string>& ids) {
    QueryParams p;
    add_list(p, "VolumeId", ids);
    std::string token;
    std::vector<Volume> all;
    for (int page = 0; page < kMaxPages; ++page) {
        QueryParams q = p;
        if (!token.empty()) q.emplace_back("NextToken", token);
        auto items = parse_volumes(call("DescribeVolumes", q), token);
        all.insert(all.end(), items.begin(), items.end());
        if (token.empty()) return all;
    }
    throw Error(ErrorKind::network, "DescribeVolumes did not stop paging");
}

InstanceType Ec2::describe_instance_type(const std::string& type) {
    const std::string xml = call("DescribeInstanceTypes", {{"InstanceType.1", type}});
    pugi::xml_document doc;
    const pugi::xml_node root = parse_answer(doc, xml, "DescribeInstanceTypes");
    const pugi::xml_node item = root.child("instanceTypeSet").child("item");
    if (!item)
        throw Error(ErrorKind::not_found,
                    "EC2 does not know the instance type " + type + " (ec2:DescribeInstanceTypes)");
    InstanceType t;
    t.vcpus = item.child("vCpuInfo").child("defaultVCpus").text().as_int();
    t.memory_mib = item.child("memoryInfo").child("sizeInMiB").text().as_ullong();
    for (pugi::xml_node mode : item.child("supportedBootModes").children("item"))
        t.boot_modes.push_back(mode.text().as_string());
    return t;
}

std::vector<Snapshot> Ec2::create_snapshots(const std::string& instance_id, const std::string& description,
                                            const QueryParams& tags) {
    QueryParams p = {{"InstanceSpecification.InstanceId", instance_id},
                     {"InstanceSpecification.ExcludeBootVolume", "false"},
                     {"Description", description},
                     {"CopyTagsFromSource", "volume"}};
    if (!tags.empty()) {
        p.emplace_back("TagSpecification.1.ResourceType", "snapshot");
        for (size_t i = 0; i < tags.size(); ++i) {
            const std::string prefix = "TagSpecification.1.Tag." + std::to_string(i + 1);
            p.emplace_back(prefix + ".Key", tags[i].first);
            p.emplace_back(prefix + ".Value", tags[i].second);
        }
    }
    auto snapshots = parse_snapshots(call("CreateSnapshots", p, true), "snapshotSet");
    if (snapshots.empty())
        throw Error(ErrorKind::service, "CreateSnapshots answered without snapshots for " + instance_id +
                                            " (ec2:CreateSnapshots)");
    return snapshots;
}

std::vector<Snapshot> Ec2::describe_snapshots(const std::vector<std::string>& ids) {
    QueryParams p;
    add_list(p, "SnapshotId", ids);
    return parse_snapshots(call("DescribeSnapshots", p), "snapshotSet");
}

void Ec2::delete_snapshot(const std::string& id) {
    try {
        call("DeleteSnapshot", {{"SnapshotId", id}});
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::not_found) throw;  // already gone is done
    }
}

void Ec2::stop_instance(const std::string& id) {
    call("StopInstances", {{"InstanceId.1", id}});
}

ExportTask Ec2::create_instance_export_task(const std::string& instance_id, const std::string& bucket,
                                            const std::string& prefix, const std::string& description) {
    QueryParams p = {{"InstanceId", instance_id},
                     {"TargetEnvironment", "vmware"},
                     {"Description", description},
                     {"ExportToS3.DiskImageFormat", "VMDK"},
                     {"ExportToS3.S3Bucket", bucket}};
    if (!prefix.empty()) p.emplace_back("ExportToS3.S3Prefix", prefix);
    auto tasks = parse_export_tasks(call("CreateInstanceExportTask", p, true));
    if (tasks.empty() || tasks[0].id.empty())
        throw Error(ErrorKind::service,
                    "CreateInstanceExportTask answered without a task (ec2:CreateInstanceExportTask)");
    return tasks[0];
}

ExportTask Ec2::describe_export_task(const std::string& id) {
    auto tasks = parse_export_tasks(call("DescribeExportTasks", {{"ExportTaskId.1", id}}));
    for (auto& t : tasks)
        if (t.id == id) return t;
    throw Error(ErrorKind::not_found,
                "EC2 does not know the export task " + id + " (ec2:DescribeExportTasks)");
}

void Ec2::cancel_export_task(const std::string& id) {
    call("CancelExportTask", {{"ExportTaskId", id}});
}

}  // namespace hypersdk::aws
