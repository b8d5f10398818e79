#pragma once
// Bringing a state_store up to date with the log at start-up.
//
// REQUIRES for all three: nothing appends to the log meanwhile (belayd calls
// them before it serves), or the store's commit listener is not yet set.

#include <cstdint>

#include "belay/engine/event_log.hpp"
#include "belay/projections/state_store.hpp"

namespace belay::projections {

inline constexpr const char* checkpoint_name = "projections";

struct restore_report {
    bool from_checkpoint = false;
    engine::log_position checkpoint_position;
    std::uint64_t events_applied = 0;
    double seconds = 0;
};

// Loads the last checkpoint (if any, and if it is readable) and applies the
// events committed after it. Falls back to rebuild() when there is no usable
// checkpoint.
[[nodiscard]] engine::result<restore_report> restore(state_store& store, engine::event_log& log);

// Folds the whole log into an empty store, in log order (the fastest full
// read).
[[nodiscard]] engine::result<restore_report> rebuild(state_store& store, engine::event_log& log);

// Stores the store's state as the checkpoint.
[[nodiscard]] engine::result<void> save_checkpoint(const state_store& store,
                                                   engine::event_log& log);

}  // namespace belay::projections
