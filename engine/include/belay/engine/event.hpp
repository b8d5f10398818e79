#pragma once
// The event envelope: one fact appended to the log.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "belay/engine/types.hpp"

namespace belay::engine {

// Event types are past-tense facts. The numeric values are stored in the log:
// never renumber, only add.
enum class event_type : std::uint8_t {
    session_created = 1,
    session_updated = 2,
    climb_updated = 3,
    pose_updated = 4,
    session_deleted = 5,
    recording_created = 6,
    recording_updated = 7,
    recording_deleted = 8,
    route_created = 9,
    route_updated = 10,
    route_deleted = 11,
    user_created = 12,
    user_updated = 13,
    user_deleted = 14,
};

std::string_view to_string(event_type type);
std::optional<event_type> parse_event_type(std::string_view name);
bool is_known(std::uint8_t raw_type);

struct event {
    log_position position;  // global position, assigned at commit
    session_id stream;      // the session this event belongs to
    engine::seq seq;        // per-stream sequence number, assigned at commit
    event_type type = event_type::session_updated;
    std::int64_t recv_time_us = 0;  // server receive time, µs since the Unix epoch
    std::string author;             // user name of whoever caused it
    std::string client_id;          // client message id, empty if none
    std::string payload;            // validated, compact JSON object
};

// Formats µs since the epoch as RFC 3339 UTC with milliseconds:
// 2025-10-19T17:44:37.187Z
std::string format_time_us(std::int64_t us);
// Appends format_time_us(us) to `out` (no allocation beyond out's own).
void append_time_us(std::string& out, std::int64_t us);

// Current wall-clock time in µs since the epoch.
std::int64_t now_us();

}  // namespace belay::engine
