// Hostile documents for the bounded, deterministic fuzz tests of every reader
// of untrusted input (labelled "sanitize": scripts/test reruns them under
// ASan/UBSan): seeded mutations of a valid document plus crafted worst cases
// (nesting 200,000 deep, 10 MB strings, invalid UTF-8, NUL bytes, huge
// numbers, very many members). A fixed seed makes every failure reproducible:
// the case's name says which one it was.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace hypersdk::test {

using HostileInputVisitor = std::function<void(const std::string& name, const std::string& text)>;

// Calls `visit` with every crafted JSON case and then `mutations` seeded
// mutations of `valid` (a JSON object).
void for_each_hostile_json(const std::string& valid, unsigned mutations, uint32_t seed,
                           const HostileInputVisitor& visit);

// The same for XML; `valid` is an XML document with a root element.
void for_each_hostile_xml(const std::string& valid, unsigned mutations, uint32_t seed,
                          const HostileInputVisitor& visit);

}  // namespace hypersdk::test
