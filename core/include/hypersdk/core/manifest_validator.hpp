// Validating an Artifact Manifest: see <hypersdk/manifest/validator.hpp> in
// the hypersdk_manifest library; these hypersdk::core names keep code written
// against core compiling.
#pragma once

#include "hypersdk/core/manifest.hpp"

#include <hypersdk/manifest/validator.hpp>

namespace hypersdk::core {

using manifest::format_issues;
using manifest::is_manifest_mac;
using manifest::quote_for_message;
using manifest::validate_manifest;
using manifest::ValidationIssue;
using manifest::ValidationOptions;

}  // namespace hypersdk::core
