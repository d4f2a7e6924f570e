// Artifact Manifest -> JSON text with a 2-space indent and a trailing newline,
// known keys in the schema's order, then the unknown keys a read kept. Writing
// the file (atomically, safely) is core's job: hypersdk/core/manifest_writer.hpp.
#pragma once

#include "hypersdk/manifest/model.hpp"

#include <string>

namespace hypersdk::manifest {

// Serializes without validating. Throws std::runtime_error when a string is
// not valid UTF-8 or a raw JSON member (unknown key, configuration object) is
// not valid JSON.
std::string manifest_to_json(const Manifest& manifest);

}  // namespace hypersdk::manifest
