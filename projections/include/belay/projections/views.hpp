#pragma once
// The state the REST views show, folded from the log. Plain values.

#include <cstdint>
#include <optional>
#include <string>

#include "belay/engine/event.hpp"
#include "belay/engine/payloads.hpp"

namespace belay::projections {

using engine::entity_id;

struct session_view {
    entity_id id;
    std::string user;
    std::optional<entity_id> route;
    std::int64_t start_time = 0;  // µs since the epoch
    std::optional<std::int64_t> end_time;
    std::string status = "started";
    std::string climb_data = "{}";  // the latest climb, compact JSON
    std::string last_pose;          // the latest pose frame (JSON array); empty if none
    std::int64_t created = 0;
    std::int64_t updated = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t event_count = 0;
    std::uint64_t pose_frames = 0;
};

struct recording_view {
    entity_id id;
    std::string user;
    std::string name;
    std::string description;
    entity_id session;
    double duration = 0;
    std::int64_t frame_count = 0;
    std::string video_file_path;
    std::string status = "recording";
    std::int64_t created = 0;
};

struct route_view {
    entity_id id;
    std::string name;
    std::string grade;
    std::string holds = "[]";  // compact JSON array
    std::int64_t created = 0;
};

struct user_view {
    entity_id id;
    std::string username;
    std::string token_sha256;
    bool is_admin = false;
    std::int64_t created = 0;
};

// Folds one event of an entity's own stream into its view. false if the
// payload does not parse (the view is left as it was).
bool apply(session_view& v, const engine::event& e);
bool apply(recording_view& v, const engine::event& e);
bool apply(route_view& v, const engine::event& e);
bool apply(user_view& v, const engine::event& e);

}  // namespace belay::projections
