#pragma once
// What every scenario reports: the machine, a table on the terminal, and a
// JSON report to compare run to run.

#include <cstdint>
#include <string>
#include <vector>

namespace belay::bench {

struct machine_info {
    std::string cpu_model;
    unsigned cpus = 0;
    std::uint64_t memory_bytes = 0;
    std::string kernel;
};

machine_info read_machine();
std::string machine_json(const machine_info& m);
std::string now_rfc3339();

// p in [0,1] of an unsorted sample (sorted in place).
double percentile(std::vector<double>& sample, double p);

// CPU seconds (user + system) this process has used so far.
double process_cpu_seconds();

void write_file(const std::string& path, const std::string& text);

}  // namespace belay::bench
