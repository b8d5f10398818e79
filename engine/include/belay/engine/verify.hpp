#pragma once
// A full consistency check of a log: what `belay inspect verify` runs.

#include <cstdint>
#include <string>
#include <vector>

#include "belay/engine/event_log.hpp"

namespace belay::engine {

struct verify_report {
    std::uint64_t streams = 0;
    std::uint64_t events = 0;
    std::uint64_t index_entries = 0;  // in the stream index: one per event
    std::uint64_t client_ids = 0;
    std::uint64_t fault_count = 0;
    std::vector<std::string> faults;  // the first max_faults, each naming its place
    bool ok() const { return fault_count == 0; }
};

// Checks that every stream's index is gap-free from seq 1 with positions
// increasing along it, every record decodes to the position it is stored
// under with a payload that is valid JSON, the index maps every event exactly
// once and nothing else, and every client id points at an event that exists.
// An error is returned only when the log cannot be read at all.
[[nodiscard]] result<verify_report> verify_log(event_log& log, std::size_t max_faults = 100);

}  // namespace belay::engine
