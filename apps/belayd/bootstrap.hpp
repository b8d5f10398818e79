#pragma once

#include <string>

#include "belay/engine/event_log.hpp"
#include "belay/projections/state_store.hpp"

namespace belay::daemon {

// On a log with no users at all: creates the user `admin`, writes its token
// to DATA_DIR/admin.token (mode 0600, written before the user is appended, so
// a crash between the two cannot lose the token) and returns the file's
// path. Returns an empty string when users exist. Throws on failure.
std::string create_admin_if_none(engine::event_log& log, projections::state_store& store,
                                 const std::string& data_dir);

}  // namespace belay::daemon
