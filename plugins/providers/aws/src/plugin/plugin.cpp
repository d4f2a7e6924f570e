// org.hypersdk.provider.aws: the descriptor, the declared options (the
// settings AWS users already have, with AWS's own variables) and the
// functions the provider kit's C entry points call
// (hypersdk/provider/entry_points.hpp), each inside its run_entry().
#include <hypersdk/provider.h>
#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/entry_points.hpp>

#include <map>
#include <memory>

#include "error_status.hpp"
#include "instance_documents.hpp"
#include "instance_export.hpp"
#include "inventory.hpp"
#include "plugin_params.hpp"

namespace {

namespace cxx = hypersdk::cxx;
namespace aws = hypersdk::aws;
namespace ap = hypersdk::aws::plugin;
namespace pk = hypersdk::provider;

const char* const kExportFormats[] = {"raw", "vmdk", nullptr};
const char* const kAuthMethods[] = {"access-key", "profile", nullptr};

using cxx::option;
const hypersdk_option kAccessKeyId =
    option("access-key-id", HYPERSDK_OPTION_STRING, "AKID", "the access key id", "AWS_ACCESS_KEY_ID");
const hypersdk_option kSecretAccessKey = option("secret-access-key", HYPERSDK_OPTION_SECRET, "FILE",
                                                "the secret access key", "AWS_SECRET_ACCESS_KEY");
const hypersdk_option kSessionToken =
    option("session-token", HYPERSDK_OPTION_SECRET, "FILE", "the session token of temporary credentials",
           "AWS_SESSION_TOKEN");
const hypersdk_option kRegion = option("region", HYPERSDK_OPTION_STRING, "REGION",
                                       "the region, e.g. eu-west-1", "AWS_REGION,AWS_DEFAULT_REGION");
const hypersdk_option kProfile =
    option("aws-profile", HYPERSDK_OPTION_STRING, "NAME",
           "the profile of ~/.aws/credentials and ~/.aws/config to use", "AWS_PROFILE");
const hypersdk_option kCredentialsFile =
    option("shared-credentials-file", HYPERSDK_OPTION_PATH, "FILE",
           "the credentials file (default ~/.aws/credentials)", "AWS_SHARED_CREDENTIALS_FILE");
const hypersdk_option kConfigFile = option("aws-config-file", HYPERSDK_OPTION_PATH, "FILE",
                                           "the config file (default ~/.aws/config)", "AWS_CONFIG_FILE");
const hypersdk_option kEndpoint = option("endpoint-url", HYPERSDK_OPTION_STRING, "URL",
                                         "one https endpoint for every AWS service", "AWS_ENDPOINT_URL");
const hypersdk_option kEndpointEc2 =
    option("endpoint-url-ec2", HYPERSDK_OPTION_STRING, "URL", "the EC2 endpoint", "AWS_ENDPOINT_URL_EC2");
const hypersdk_option kEndpointEbs = option("endpoint-url-ebs", HYPERSDK_OPTION_STRING, "URL",
                                            "the EBS direct APIs endpoint", "AWS_ENDPOINT_URL_EBS");
const hypersdk_option kEndpointS3 = option("endpoint-url-s3", HYPERSDK_OPTION_STRING, "URL",
                                           "the S3 endpoint (path-style)", "AWS_ENDPOINT_URL_S3");
const hypersdk_option kCaBundle = option("ca-bundle", HYPERSDK_OPTION_PATH, "PEM",
                                         "trust the CA certificates in this file", "AWS_CA_BUNDLE");
const hypersdk_option kMethod = option(
    "aws-method", HYPERSDK_OPTION_STRING, "METHOD",
    "ebs-direct (snapshots read block by block) or export-task (a VMDK via S3)", nullptr, 0, "ebs-direct");
const hypersdk_option kBucket =
    option("s3-bucket", HYPERSDK_OPTION_STRING, "BUCKET", "export-task: the bucket EC2 writes the VMDK to");
const hypersdk_option kPrefix =
    option("s3-prefix", HYPERSDK_OPTION_STRING, "PREFIX", "export-task: the key prefix in the bucket");
const hypersdk_option kKeepSnapshots =
    option("keep-snapshots", HYPERSDK_OPTION_BOOL, "BOOL",
           "ebs-direct: keep the snapshots instead of deleting them", nullptr, 0, "false");
const hypersdk_option kKeepIntermediate =
    option("keep-intermediate", HYPERSDK_OPTION_BOOL, "BOOL", "export-task: keep the exported object in S3",
           nullptr, 0, "false");
const hypersdk_option kPollSeconds =
    option("aws-poll-seconds", HYPERSDK_OPTION_INTEGER, "SECONDS",
           "how often snapshots, export tasks and stopping instances are polled", nullptr,
           HYPERSDK_OPTION_RANGE, "5", 1, 300);
const hypersdk_option* const kOptions[] = {
    &kAccessKeyId,     &kSecretAccessKey,  &kSessionToken, &kRegion,      &kProfile,
    &kCredentialsFile, &kConfigFile,       &kEndpoint,     &kEndpointEc2, &kEndpointEbs,
    &kEndpointS3,      &kCaBundle,         &kMethod,       &kBucket,      &kPrefix,
    &kKeepSnapshots,   &kKeepIntermediate, &kPollSeconds,  nullptr};

const hypersdk_provider_capabilities kCapabilities = {
    sizeof(hypersdk_provider_capabilities), "aws", kExportFormats, kAuthMethods, false, false, kOptions,
};

// One DescribeInstances page checks the credentials, so a wrong key fails here (auth) and not mid-export.
std::unique_ptr<ap::AwsSession> open(const pk::OptionValues& config, const cxx::Job&) {
    return ap::with_kit_errors([&] {
        auto session = std::make_unique<ap::AwsSession>(ap::parse_settings(config));
        session->ec2.check_credentials();
        return session;
    });
}

std::vector<pk::VmSummary> list_vms(ap::AwsSession& session, const cxx::Job&) {
    return ap::with_kit_errors([&] {
        auto& ec2 = session.ec2;
        std::vector<std::string> volume_ids;
        std::map<std::string, aws::InstanceType> types;
        const auto instances = ec2.describe_instances();
        for (const auto& i : instances) {
            for (const auto& bd : i.block_devices) volume_ids.push_back(bd.volume_id);
            if (!i.type.empty() && !types.count(i.type)) types[i.type] = ec2.describe_instance_type(i.type);
        }
        std::map<std::string, uint64_t> sizes;
        if (!volume_ids.empty())
            for (const auto& v : ec2.describe_volumes(volume_ids)) sizes[v.id] = v.size_gib;
        std::vector<pk::VmSummary> out;
        for (const auto& i : instances) {
            if (i.state == "terminated") continue;
            ap::InstanceSummary s;
            s.instance = i;
            for (const auto& bd : i.block_devices) s.volume_sizes_gib.push_back(sizes[bd.volume_id]);
            s.vcpus = types[i.type].vcpus;
            s.memory_mib = types[i.type].memory_mib;
            out.push_back(ap::summary(s, session.settings.config.region));
        }
        return out;
    });
}

pk::VmDescription describe_vm(ap::AwsSession& session, const std::string& vm_ref, const cxx::Job&) {
    return ap::with_kit_errors([&] {
        const auto& region = session.settings.config.region;
        return ap::description(
            aws::describe_instance(session.ec2, aws::find_instance(session.ec2, vm_ref, region)), region,
            session.settings.method == ap::Method::export_task ? "vmdk" : "raw");
    });
}

pk::ExportResult export_vm(ap::AwsSession& session, const std::string& vm_ref,
                           const pk::OptionValues& options, const cxx::Job& job) {
    return ap::with_kit_errors(
        [&] { return ap::export_instance(session, vm_ref, ap::parse_export_options(options), job); });
}

const pk::ProviderFunctions<ap::AwsSession> kFunctions = {
    open,
    list_vms,
    describe_vm,
    export_vm,
    "no instance given: pass --vm (or --instance) with an instance id or a Name tag",
};
const hypersdk_provider& kProvider = pk::provider_table<kFunctions, kCapabilities>;

const hypersdk_plugin_descriptor kDescriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    "org.hypersdk.provider.aws",
    "aws",
    "0.1.0",
    HYPERSDK_PLUGIN_KIND_PROVIDER,
    HYPERSDK_THREAD_MODEL_PARALLEL,
    cxx::init_keep_host,
    cxx::deinit_forget_host,
    pk::provider_get_interface<kProvider>,
    "Amazon EC2 provider: instances exported by EBS direct reads of snapshots or by export task through S3",
    "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-accessing-snapshot.html",
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(kDescriptor)
