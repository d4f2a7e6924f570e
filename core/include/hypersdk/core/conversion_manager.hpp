// The ConversionManager: reads a manifest (parsed, never string-searched),
// derives what the job needs, routes it to the best converter plugin by
// declared capabilities, and runs that converter with a deadline. A failed
// conversion never touches the manifest or the exported disks, so the same
// request can simply be run again.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hypersdk/core/conversion_outputs.hpp"
#include "hypersdk/core/conversion_routing.hpp"
#include "hypersdk/core/image_check.hpp"
#include "hypersdk/core/job.hpp"
#include "hypersdk/core/manifest.hpp"
#include "hypersdk/core/manifest_validator.hpp"
#include "hypersdk/core/plugin_registry.hpp"

namespace hypersdk::core {

inline constexpr std::chrono::seconds kDefaultConversionTimeout{2 * 60 * 60};

// ConvertOptions and ConverterConfig as the user gave them.
struct ConversionRequest {
    std::filesystem::path manifest_path;
    std::optional<std::string> converter;      // --converter: plugin id or name
    std::optional<std::string> target_format;  // --target-format (else output.format, else qcow2)
    std::chrono::seconds timeout = kDefaultConversionTimeout;
    bool stream_output = true;
    bool dry_run = false;
    int verbose = 0;
    std::optional<int> compression_level;  // else from pipeline.convert
    bool preserve_mac = false;
    std::vector<std::string> custom_args;
    // Converter plugin id -> its resolved declared options, as JSON object
    // members (OptionResolution::json_members); merged into its ConverterConfig.
    std::map<std::string, std::string> converter_options;
    // Converter plugin id -> why its options are incomplete (a required
    // option nobody gave): routing refuses it with that reason.
    std::map<std::string, std::string> converter_option_problems;
    std::map<std::string, std::string> environment;  // set for the tool
    // Removed from the tool's environment: the variables of every secret
    // option any loaded plugin declares (secret_environment_variables()).
    std::vector<std::string> environment_unset;
    // Overwrite existing files at output paths that are not earlier outputs of
    // this job (never a source disk: conversion_outputs.hpp).
    bool force = false;
    // Outputs 0640 and new directories 0750 instead of 0600/0700
    // (ConvertOptions "group_readable"; tools run under umask 027, not 077).
    bool group_readable = false;
};

struct ConversionPlan {
    std::filesystem::path manifest_path;           // absolute
    std::vector<ValidationIssue> manifest_issues;  // non-empty: nothing may run
    Manifest manifest;
    ConversionNeeds needs;
    RoutingDecision decision;
    ConversionOutputs outputs;   // where the converter will write
    std::string output_problem;  // non-empty: the outputs clash (conversion_outputs.hpp); nothing may run
    // decision.host_validates: the qemu-img the host checks the outputs with.
    std::string image_checker;
};

// An output clash (ConversionPlan::output_problem) ends as `failed`.
enum class ConversionStatus { succeeded, manifest_invalid, no_converter, failed, cancelled, timed_out };

// A file a converter wrote besides the disk images and the report
// (ConversionResult "artifacts", docs/converter-json.md), e.g. virt-v2v's
// libvirt domain XML: {"libvirt_domain_xml", "/out/web.xml"}.
struct ConversionArtifact {
    std::string kind;
    std::string path;
};

// ConversionResult, plus how it ended.
struct ConversionOutcome {
    ConversionStatus status = ConversionStatus::failed;
    std::string converter_id;
    bool success = false;
    std::vector<std::string> converted_files;
    std::string report_path;
    double duration_seconds = 0;
    std::string error;
    std::vector<std::string> warnings;
    std::string metadata_json = "{}";
    std::vector<ConversionArtifact> artifacts;
    // VALIDATE run by the host (ConversionPlan::image_checker), one per
    // converted file; empty when the converter validated (or nothing ran).
    std::vector<ImageCheck> host_checks;
    // The manifest asked for FIX (pipeline.fix): false means format conversion
    // only, and the guest may lack the drivers to boot on KVM.
    bool fix_requested = false;
};

class ConversionManager {
public:
    explicit ConversionManager(const PluginRegistry& registry) : registry_(registry) {}

    // Reads and validates the manifest, checks what the conversion would
    // write (check_conversion_outputs), and chooses a converter (running the
    // candidates' validate()). Never throws for bad input.
    ConversionPlan plan(const ConversionRequest& request) const;

    // Runs the chosen converter. `job` supplies output/progress callbacks and
    // cancellation (Ctrl-C); the deadline is set here from request.timeout.
    ConversionOutcome run(const ConversionRequest& request, const ConversionPlan& plan, Job& job) const;

    // The ConverterConfig JSON given to a converter.
    static std::string converter_config_json(const ConversionRequest& request,
                                             const ConverterBackend& converter,
                                             const std::filesystem::path& manifest_path);
    // The ConvertOptions JSON given to a converter.
    static std::string convert_options_json(const ConversionRequest& request, const ConversionPlan& plan);

private:
    const ConverterBackend* resolve(const std::string& id_or_name) const;

    const PluginRegistry& registry_;
};

// What a manifest asks of a converter.
ConversionNeeds derive_conversion_needs(const Manifest& manifest,
                                        const std::optional<std::string>& target_format);

// The declared capabilities of a converter plugin, as routing sees them.
ConverterProfile converter_profile(const ConverterBackend& converter);

// The environment variables of every secret option the loaded plugins
// declare: what no converter's child process may inherit.
std::vector<std::string> secret_environment_variables(const PluginRegistry& registry);

// Parses a ConversionResult JSON document into `outcome` (success, files,
// report, duration, error, warnings, metadata). Returns false with
// outcome.error set when the text is not a JSON object.
bool parse_conversion_result(const std::string& json_text, ConversionOutcome& outcome);

}  // namespace hypersdk::core
