#include "hypersdk/http/extents.hpp"

#include "hypersdk/http/error.hpp"

namespace hypersdk::http {

std::vector<Extent> whole_object(uint64_t size) {
    if (size == 0) return {};
    return {{0, size, true}};
}

std::vector<Extent> extents_from_data_ranges(const std::vector<Extent>& data_ranges, uint64_t size) {
    std::vector<Extent> out;
    uint64_t at = 0;
    for (const auto& r : data_ranges) {
        if (r.length == 0) continue;
        if (r.offset < at)
            throw Error(ErrorKind::protocol, "data range at " + std::to_string(r.offset) +
                                                 " overlaps or precedes the one before (which ends at " +
                                                 std::to_string(at) + ")");
        if (r.offset > size || r.length > size - r.offset)
            throw Error(ErrorKind::protocol, "data range " + std::to_string(r.offset) + "+" +
                                                 std::to_string(r.length) + " ends past the object's " +
                                                 std::to_string(size) + " bytes");
        if (r.offset > at) out.push_back({at, r.offset - at, false});
        if (!out.empty() && out.back().data && out.back().offset + out.back().length == r.offset)
            out.back().length += r.length;
        else
            out.push_back({r.offset, r.length, true});
        at = r.offset + r.length;
    }
    if (at < size) out.push_back({at, size - at, false});
    return out;
}

uint64_t check_extents(const std::vector<Extent>& extents) {
    uint64_t at = 0;
    for (const auto& e : extents) {
        if (e.offset != at || e.length == 0)
            throw Error(ErrorKind::protocol, "extent at " + std::to_string(e.offset) + " (" +
                                                 std::to_string(e.length) +
                                                 " bytes) does not follow the one "
                                                 "before, which ends at " +
                                                 std::to_string(at));
        at += e.length;
    }
    return at;
}

}  // namespace hypersdk::http
