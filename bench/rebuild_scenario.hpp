#pragma once
// `belay-bench rebuild`: how fast the projections come back from the log.

#include <cstdint>
#include <string>

namespace belay::bench {

struct rebuild_params {
    std::uint64_t events = 1'000'000;
    std::uint64_t sessions = 1'000;
    unsigned rounds = 3;   // full rebuilds timed (the median is reported)
    std::string data_dir;  // empty: a temporary directory, removed after
    std::string belayd;    // a belayd binary: also time its start to a 200 from /healthz
    std::string report_path;
};

int run_rebuild(const rebuild_params& p);

}  // namespace belay::bench
