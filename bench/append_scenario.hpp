#pragma once
// `belay-bench append`: in-process appends through the engine's event log.

#include <string>
#include <vector>

namespace belay::bench {

struct append_params {
    std::vector<unsigned> appenders{1, 8, 64};
    std::vector<std::string> durabilities{"sync", "buffered"};
    double seconds = 3.0;  // appending time per configuration
    std::size_t payload_bytes = 300;
    std::string data_dir;     // empty: a fresh temporary directory per configuration
    std::string report_path;  // empty: no JSON report
};

// Runs every configuration, prints a table and writes the report; returns
// the process exit code.
int run_append(const append_params& params);

}  // namespace belay::bench
