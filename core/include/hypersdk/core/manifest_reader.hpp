// Reading an Artifact Manifest: see <hypersdk/manifest/reader.hpp> in the
// hypersdk_manifest library; these hypersdk::core names keep code written
// against core compiling.
#pragma once

#include "hypersdk/core/manifest.hpp"
#include "hypersdk/core/manifest_validator.hpp"

#include <hypersdk/manifest/reader.hpp>

namespace hypersdk::core {

using manifest::kManifestMaxNestingDepth;
using manifest::ManifestReadResult;
using manifest::parse_manifest;
using manifest::read_manifest_file;
using manifest::validate_read_result;

}  // namespace hypersdk::core
