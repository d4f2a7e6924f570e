// What a ranged download fetches: the object as extents of data and holes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hypersdk::http {

struct Extent {
    uint64_t offset = 0;
    uint64_t length = 0;
    bool data = true;  // false: a hole, all zeros, not fetched
};

// The whole object [0, size) as one data extent.
std::vector<Extent> whole_object(uint64_t size);

// Sorted data ranges {offset, length} (as Azure's Get Page Ranges or EBS's
// ListSnapshotBlocks give them) to the full extent list of an object of
// `size` bytes, holes between them. Adjacent ranges merge; zero-length ones
// are dropped. Throws Error(protocol) for ranges out of order, overlapping
// or past `size`.
std::vector<Extent> extents_from_data_ranges(const std::vector<Extent>& data_ranges, uint64_t size);

// Throws Error(protocol) unless `extents` are sorted, adjacent, non-empty and
// start at 0. Returns the object's size.
uint64_t check_extents(const std::vector<Extent>& extents);

}  // namespace hypersdk::http
