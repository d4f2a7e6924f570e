#include "hypersdk/core/conversion_routing.hpp"

#include <algorithm>
#include <sstream>

namespace hypersdk::core {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

std::string describe_needs(const ConversionNeeds& needs) {
    std::vector<std::string> formats(needs.source_formats.begin(), needs.source_formats.end());
    std::string text = "source " + (formats.empty() ? std::string("(none)") : join(formats, "+")) + " -> " +
                       needs.target_format + ", provider " +
                       (needs.provider.empty() ? "(none)" : needs.provider);
    if (needs.os_detection) text += ", inspect";
    if (needs.driver_injection) text += ", fix (driver injection)";
    if (needs.validation) text += ", validate";
    return text;
}

}  // namespace

std::vector<std::string> capability_mismatches(const ConversionNeeds& needs,
                                               const ConverterProfile& profile) {
    std::vector<std::string> reasons;
    std::vector<std::string> unsupported_sources;
    for (const auto& format : needs.source_formats)
        if (!contains(profile.source_formats, format)) unsupported_sources.push_back(format);
    if (!unsupported_sources.empty())
        reasons.push_back("cannot read source format " + join(unsupported_sources) + " (reads " +
                          join(profile.source_formats) + ")");
    if (!contains(profile.target_formats, needs.target_format))
        reasons.push_back("cannot write target format " + needs.target_format + " (writes " +
                          join(profile.target_formats) + ")");
    if (needs.driver_injection && !profile.driver_injection)
        reasons.push_back("no driver injection (manifest enables pipeline.fix)");
    if (needs.os_detection && !profile.os_detection)
        reasons.push_back("no OS detection (manifest enables pipeline.inspect)");
    // No validation capability is not a mismatch: the host validates the
    // outputs itself (RoutingDecision::host_validates, image_check.hpp).
    const bool any_provider = contains(profile.providers, "*");
    if (!any_provider) {
        if (needs.provider.empty())
            reasons.push_back("requires a source provider (" + join(profile.providers) +
                              ") but the manifest names none");
        else if (!contains(profile.providers, needs.provider))
            reasons.push_back("does not support provider " + needs.provider + " (supports " +
                              join(profile.providers) + ")");
    }
    return reasons;
}

RoutingDecision route_conversion(const ConversionNeeds& needs, std::vector<ConverterCandidate> candidates,
                                 const std::optional<std::string>& forced_id) {
    // Highest priority first; ties broken by id so the choice is stable.
    std::stable_sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        if (a.profile.priority != b.profile.priority) return a.profile.priority > b.profile.priority;
        return a.profile.id < b.profile.id;
    });

    RoutingDecision decision;
    std::vector<std::pair<std::string, std::string>> unusable;  // fitted, failed validate
    const bool forced_exists =
        forced_id && std::any_of(candidates.begin(), candidates.end(),
                                 [&](const auto& c) { return c.profile.id == *forced_id; });

    for (auto& candidate : candidates) {
        CandidateVerdict verdict{candidate.profile.id, candidate.profile.priority, false, false, {}};
        if (forced_id && candidate.profile.id != *forced_id) {
            verdict.reason = "not selected (--converter " + *forced_id + ")";
        } else if (const auto mismatches = capability_mismatches(needs, candidate.profile);
                   !mismatches.empty()) {
            verdict.reason = join(mismatches, "; ");
        } else if (decision.chosen_id) {
            verdict.accepted = true;
            verdict.validated = false;
            // Its validate() is not run: nothing would change the choice, so
            // whether its tool works is unknown, and the table says so.
            verdict.reason = "fits; tool not checked (" + *decision.chosen_id + " has higher priority)";
        } else if (const auto problem = candidate.validate ? candidate.validate() : std::nullopt; problem) {
            verdict.reason = *problem;
            unusable.emplace_back(candidate.profile.id, *problem);
        } else {
            verdict.accepted = true;
            verdict.validated = true;
            verdict.reason = forced_id ? "chosen (--converter)" : "chosen: highest priority that fits";
            decision.chosen_id = candidate.profile.id;
            decision.host_validates = needs.validation && !candidate.profile.validation;
            if (decision.host_validates)
                verdict.reason += "; hyperexport validates its output (qemu-img check)";
            // Say when a better converter fitted but could not run.
            for (const auto& [id, problem] : unusable)
                decision.notes.push_back(id + " fits this job but cannot run (" + problem + "); using " +
                                         candidate.profile.id + " instead");
        }
        decision.verdicts.push_back(std::move(verdict));
    }

    if (!decision.chosen_id) {
        if (forced_id && !forced_exists) {
            std::vector<std::string> ids;
            for (const auto& c : candidates) ids.push_back(c.profile.id);
            decision.failure = "no converter plugin with id '" + *forced_id +
                               "' is loaded (loaded: " + (ids.empty() ? std::string("none") : join(ids)) +
                               ")";
        } else if (forced_id && !unusable.empty()) {
            // The forced converter fits but its tool cannot run: its reason, not a generic line.
            decision.failure = "--converter " + *forced_id + " cannot run: " + unusable.front().second;
        } else if (forced_id) {
            const auto it = std::find_if(decision.verdicts.begin(), decision.verdicts.end(),
                                         [&](const auto& v) { return v.id == *forced_id; });
            decision.failure = "--converter " + *forced_id + " cannot do this job: " +
                               (it != decision.verdicts.end() ? it->reason : describe_needs(needs));
        } else if (candidates.empty()) {
            decision.failure = "no converter plugins are loaded (see hyperexport plugins list)";
        } else {
            decision.failure = "no converter can do this job: " + describe_needs(needs);
            const bool one_could_but_for_fix =
                std::any_of(candidates.begin(), candidates.end(), [&](const auto& c) {
                    ConversionNeeds without_fix = needs;
                    without_fix.driver_injection = without_fix.os_detection = false;
                    return capability_mismatches(without_fix, c.profile).empty();
                });
            if (needs.driver_injection && one_could_but_for_fix)
                decision.failure +=
                    "; no loaded converter can fix the guest (install one that can: hyperexport plugins list "
                    "shows each one's capabilities), or export with --fix=false for format conversion only";
        }
    }
    return decision;
}

std::string format_routing_table(const ConversionNeeds& needs, const RoutingDecision& decision) {
    std::ostringstream out;
    out << "Job needs: " << describe_needs(needs) << "\n";
    size_t id_width = 9;
    for (const auto& v : decision.verdicts) id_width = std::max(id_width, v.id.size());
    for (const auto& v : decision.verdicts) {
        const bool chosen = decision.chosen_id && *decision.chosen_id == v.id;
        const char* mark = chosen ? "* " : v.accepted ? (v.validated ? "+ " : "? ") : "- ";
        const std::string priority = std::to_string(v.priority);
        out << "  " << mark << v.id << std::string(id_width - v.id.size() + 2, ' ') << "priority " << priority
            << std::string(priority.size() < 4 ? 4 - priority.size() : 0, ' ') << " " << v.reason << "\n";
    }
    if (decision.verdicts.empty()) out << "  (no converter plugins loaded)\n";
    out << "  (* chosen, + fits and its tool works, ? fits but its tool was not checked, - cannot)\n";
    return out.str();
}

}  // namespace hypersdk::core
