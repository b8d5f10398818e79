#pragma once
// belayd's settings: command line first, then BELAY_* environment variables,
// then defaults.

#include <cstdint>
#include <string>
#include <vector>

#include "belay/engine/types.hpp"
#include "belay/transport/server.hpp"

namespace belay::daemon {

struct settings {
    std::string data_dir = "data";
    engine::durability durability = engine::durability::sync;
    transport::server_options server;
    bool rebuild = false;
    std::uint64_t checkpoint_every = 100'000;  // events between checkpoints
    unsigned stats_interval_s = 60;            // 0: no periodic status line
    bool help = false;
};

// Throws cli::usage_error on a bad option or value.
settings parse_settings(const std::vector<std::string>& argv);

extern const char* const usage;

}  // namespace belay::daemon
