#pragma once
// `belay-bench append`: in-process appends through the engine's event log.

#include <string>
#include <vector>

namespace belay::bench {

struct append_params {
    std::vector<unsigned> appenders{1, 8, 64};
    std::vector<std::string> durabilities{"sync", "buffered"};
    // threads: each appender is a thread blocking on append().
    // async: each appender is a logical client with one append in flight,
    //        driven from completion callbacks on `io_threads` threads, as the
    //        server's connections use the log.
    std::vector<std::string> modes{"threads", "async"};
    unsigned io_threads = 1;
    // async: appends each appender keeps in flight (a rig streams frames
    // without waiting for each ack; 1 = wait for every ack).
    std::vector<unsigned> windows{1};
    double seconds = 3.0;  // appending time per configuration
    std::size_t payload_bytes = 300;
    std::string data_dir;     // empty: a fresh temporary directory per configuration
    std::string report_path;  // empty: no JSON report
};

// Runs every configuration, prints a table and writes the report; returns
// the process exit code.
int run_append(const append_params& params);

}  // namespace belay::bench
