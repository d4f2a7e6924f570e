// How every provider's boot test judges its export, the same way: the
// manifest's vm.firmware is the firmware the source VM booted with, and the
// boot disk of the conversion the export printed (--json) boots with that
// firmware to the guest's marker.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "boot_harness.hpp"

namespace hypersdk::test {

// `export_dir`: hyperexport's --output (it holds artifact-manifest.json);
// `json_stdout`: what `hyperexport ... --convert --json` printed.
::testing::AssertionResult export_boots_with(const std::filesystem::path& export_dir,
                                             const std::string& json_stdout, const GuestImage& guest,
                                             Firmware firmware);

}  // namespace hypersdk::test
