// Choosing a converter: what a job needs (derived from the manifest) against
// what each converter declares (ConverterCapabilities) and whether its tool
// is usable (validate). Pure logic over plain data, so it is tested with fake
// capability sets as well as the real plugins.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hypersdk::core {

// What a conversion job requires.
struct ConversionNeeds {
    std::string provider;                  // manifest source.provider; empty if absent
    std::set<std::string> source_formats;  // every disk's source_format
    std::string target_format = "qcow2";   // output.format
    bool driver_injection = false;         // pipeline.fix.enabled
    bool os_detection = false;             // pipeline.inspect.enabled
    bool validation = false;               // pipeline.validate.enabled
};

// A converter's declared capabilities, copied out of the C struct.
struct ConverterProfile {
    std::string id;
    std::vector<std::string> source_formats;
    std::vector<std::string> target_formats;
    bool driver_injection = false;
    bool os_detection = false;
    bool validation = false;
    std::vector<std::string> providers;  // "*" = any
    int32_t priority = 0;
    std::string tool_name;
    std::string install_hint;
};

// The outcome of the converter's own validate(): empty = usable, otherwise
// the message (which names the missing tool and how to install it).
using ValidateFn = std::function<std::optional<std::string>()>;

struct ConverterCandidate {
    ConverterProfile profile;
    ValidateFn validate;  // called only for candidates whose capabilities fit
};

struct CandidateVerdict {
    std::string id;
    int32_t priority = 0;
    bool accepted = false;   // its capabilities fit (and, when validated, its tool works)
    bool validated = false;  // its validate() ran and passed
    std::string reason;      // why refused, or why accepted ("chosen: highest priority ...")
};

struct RoutingDecision {
    std::vector<CandidateVerdict> verdicts;  // one per candidate, highest priority first
    std::optional<std::string> chosen_id;
    std::string failure;             // set when nothing was chosen
    std::vector<std::string> notes;  // "X fits this job but cannot run (...); using Y instead"
    // pipeline.validate is on and the chosen converter cannot validate: the
    // host runs the check itself (image_check.hpp).
    bool host_validates = false;
};

// Every reason the capabilities cannot serve the needs, in a fixed order;
// empty when they can.
std::vector<std::string> capability_mismatches(const ConversionNeeds& needs, const ConverterProfile& profile);

// Pick the highest-priority candidate that fits and validates, or forced_id
// (which must exist and must fit: forcing never bypasses a missing capability,
// because the tool would fail later with a worse message).
RoutingDecision route_conversion(const ConversionNeeds& needs, std::vector<ConverterCandidate> candidates,
                                 const std::optional<std::string>& forced_id);

// The table `--explain` prints: one line per converter, accepted or why not.
std::string format_routing_table(const ConversionNeeds& needs, const RoutingDecision& decision);

}  // namespace hypersdk::core
