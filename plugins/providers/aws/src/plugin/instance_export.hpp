// Exporting one EC2 instance into the host's sinks, by either method
// (docs/aws.md): ebs-direct (one crash-consistent CreateSnapshots, then
// every snapshot read with the EBS direct APIs into a sparse raw disk) or
// export-task (CreateInstanceExportTask to a VMDK in S3, streamed back with
// ranged parallel GETs). Returns the export-result.
#pragma once

#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/provider/documents.hpp>

#include <memory>
#include <string>

#include "ebs.hpp"
#include "ec2.hpp"
#include "plugin_params.hpp"
#include "s3.hpp"

namespace hypersdk::aws::plugin {

// One open provider session: the settings and a client per service.
struct AwsSession {
    explicit AwsSession(Settings s);
    Settings settings;
    Transport transport;
    Ec2 ec2;
    Ebs ebs;
    S3 s3;
};

provider::ExportResult export_instance(AwsSession& session, const std::string& reference,
                                       const ExportOptions& options, const cxx::Job& job);

}  // namespace hypersdk::aws::plugin
