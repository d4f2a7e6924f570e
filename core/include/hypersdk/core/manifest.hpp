// The Artifact Manifest v1.0 model lives in the hypersdk_manifest library
// (plugins/common/manifest, <hypersdk/manifest/model.hpp>), which core and the
// converter plugins share so that one contract has one reader. These
// hypersdk::core names keep code written against core compiling; new code
// includes <hypersdk/manifest/...> and uses hypersdk::manifest.
#pragma once

#include <hypersdk/manifest/model.hpp>

namespace hypersdk::core {

using manifest::kDiskSourceFormats;
using manifest::kDiskTypes;
using manifest::kFirmwareKinds;
using manifest::kFstabModes;
using manifest::kManifestFileName;
using manifest::kManifestVersion;
using manifest::kOutputFormats;

using manifest::ConvertStage;
using manifest::FixStage;
using manifest::InspectStage;
using manifest::Manifest;
using manifest::ManifestConfiguration;
using manifest::ManifestDisk;
using manifest::ManifestMetadata;
using manifest::ManifestNic;
using manifest::ManifestOptions;
using manifest::ManifestOutput;
using manifest::ManifestPipeline;
using manifest::ManifestReportOptions;
using manifest::ManifestSource;
using manifest::ManifestVm;
using manifest::ManifestWarning;
using manifest::UnknownJsonFields;
using manifest::ValidateStage;

using manifest::is_rfc3339_timestamp;
using manifest::normalize_firmware;
using manifest::rfc3339_utc_now;

}  // namespace hypersdk::core
