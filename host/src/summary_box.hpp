// The boxed summary `hyperexport convert` and `hyperexport export` end with
// (the seed's "Export Summary" box): a title and label/value rows.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace hypersdk::host {

using SummaryRows = std::vector<std::pair<std::string, std::string>>;

// The widest a box gets, in columns: it fits an 80-column terminal.
inline constexpr size_t kMaxBoxWidth = 80;

// Box-drawing characters; columns sized to the longest label and value
// (counted in code points, so UTF-8 values line up), at most kMaxBoxWidth
// wide: a longer value wraps onto continuation rows (at a space or '/' when
// it can), it never widens the box.
std::string render_summary_box(const std::string& title, const SummaryRows& rows);

// "12m40s", "1h02m03s", "4.2s": short, human durations for the box.
std::string format_duration(double seconds);

}  // namespace hypersdk::host
