// Runs a program with arguments and extra environment, captures stdout and
// stderr, and kills it if it outlives a timeout. For tests only.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

struct ProcessResult {
    int exit_code = -1;  // -1 when killed by a signal or the timeout
    bool timed_out = false;
    std::string out;
    std::string err;
};

ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& env,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));
