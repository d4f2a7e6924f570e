// The hyperexport command line as a library call: main.cpp calls it, and the
// tests link the library (hyperexport_cli) and call it too.
#pragma once

#include <string>
#include <vector>

namespace hypersdk::host {

// Runs hyperexport with `args` (without the program name); returns the exit
// code. Never throws.
int run_cli(const std::vector<std::string>& args);

}  // namespace hypersdk::host
