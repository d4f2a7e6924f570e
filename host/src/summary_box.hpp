// The boxed summary `hyperexport convert` and `hyperexport export` end with
// (the seed's "Export Summary" box): a title and label/value rows.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace hypersdk::host {

using SummaryRows = std::vector<std::pair<std::string, std::string>>;

// Box-drawing characters; columns sized to the longest label and value
// (counted in code points, so UTF-8 values line up).
std::string render_summary_box(const std::string& title, const SummaryRows& rows);

// "12m40s", "1h02m03s", "4.2s": short, human durations for the box.
std::string format_duration(double seconds);

}  // namespace hypersdk::host
