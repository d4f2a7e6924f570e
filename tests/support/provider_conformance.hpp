// The provider conformance suite: what every provider plugin must do against
// its own peer, through core's real loader, ExportRunner and FileSinkFactory
// (provider_harness.hpp). A provider's test plugs its peer in by implementing
// ConformancePeer and instantiating the suite:
//
//   INSTANTIATE_TEST_SUITE_P(Vsphere, ProviderConformance,
//       ::testing::Values(ConformanceCase{"vcsim", [] { return std::make_unique<VcsimPeer>(); }}),
//       conformance_case_name);
//
// and linking the object library hypersdk_test_provider_conformance (which
// holds the TEST_Ps). docs/provider-kit.md#the-conformance-suite says more.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hypersdk::test {

class ConformancePeer {
public:
    virtual ~ConformancePeer() = default;

    // capabilities.provider_name of the plugin under test ("vsphere").
    virtual std::string provider_name() const = 0;
    // The directory the plugin's .so is built into (core's registry loads it from there).
    virtual std::filesystem::path plugin_dir() const = 0;
    // Starts a fresh peer for one test, with a VM vm_ref() that has at least
    // one disk. slow: serve disk bytes slowly enough (a few seconds for all)
    // that a cancellation lands in the middle of the transfer.
    virtual void start(bool slow) = 0;
    // The config JSON open takes (declared options by name) for the peer.
    virtual std::string config_json() const = 0;
    // The same with one secret wrong; wrong_secret() is that wrong value.
    virtual std::string config_with_wrong_secret() const = 0;
    virtual std::string wrong_secret() const = 0;
    // The names a message may use to say which credential to fix (the option
    // and its variables: "password", "GOVC_PASSWORD"); it must use one.
    virtual std::vector<std::string> credential_names() const = 0;
    // The VM to describe and export: a name or id list_vms shows.
    virtual std::string vm_ref() const = 0;
    // Export options beyond the defaults (e.g. power_off for a running VM).
    virtual bool export_needs_power_off() const { return false; }
    // "sha256:<hex>" (sha256_of_file) of each disk file the export must produce, by
    // file name; empty: the sizes and the manifest's checksums are checked only.
    virtual std::map<std::string, std::string> expected_disk_sha256() const { return {}; }
    // After a cancelled export: what the provider must have cleaned up on
    // the peer (a lease aborted, a snapshot deleted). Empty: nothing is
    // checked. Returns "" when clean, else what was left behind.
    virtual std::string leftovers_after_cancel() const { return {}; }
};

struct ConformanceCase {
    std::string name;  // the suite instance's name ("vcsim")
    std::function<std::unique_ptr<ConformancePeer>()> make_peer;
};

// Shown by GoogleTest for the parameter: its name.
void PrintTo(const ConformanceCase& c, std::ostream* os);

std::string conformance_case_name(const ::testing::TestParamInfo<ConformanceCase>& info);

class ProviderConformance : public ::testing::TestWithParam<ConformanceCase> {};

}  // namespace hypersdk::test
