#pragma once
// The payloads of the events that REST writes create, as typed values: what
// validation produces, what the log stores (as compact JSON) and what the
// projections fold. Client messages (climb_updated, pose_updated) keep their
// validated JSON as is; see validate.hpp.
//
// Every field is optional: a *_created payload carries every field, an
// *_updated payload only those that changed. For nullable fields the outer
// optional says "present", the inner one "not null".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "belay/engine/types.hpp"

namespace belay::engine {

// Ids of sessions, recordings, routes and users are all UUIDs.
using entity_id = session_id;

template <class T>
using nullable = std::optional<std::optional<T>>;

struct session_fields {
    std::optional<std::string> user;  // session_created only
    nullable<entity_id> route;
    std::optional<std::int64_t> start_time;  // µs since the epoch
    nullable<std::int64_t> end_time;
    std::optional<std::string> status;      // started | completed | abandoned
    std::optional<std::string> climb_data;  // session_created only: compact JSON object
};

struct recording_fields {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<entity_id> session;
    std::optional<double> duration;  // seconds
    std::optional<std::int64_t> frame_count;
    std::optional<std::string> video_file_path;
    std::optional<std::string> status;  // recording | processing | completed
};

struct route_fields {
    std::optional<std::string> name;
    std::optional<std::string> grade;
    std::optional<std::string> holds;  // compact JSON array of {"id","type","x","y"}
};

struct user_fields {
    std::optional<std::string> username;
    std::optional<std::string> token_sha256;  // hex
    std::optional<bool> is_admin;
};

// Compact JSON objects holding the present fields. Times are written to the
// millisecond (RFC 3339 UTC). REQUIRES: climb_data and holds are compact JSON
// already (they are copied as they are); duration is finite.
std::string to_payload(const session_fields& f);
std::string to_payload(const recording_fields& f);
std::string to_payload(const route_fields& f);
std::string to_payload(const user_fields& f);

// Parse a stored payload; false if it is not what to_payload writes.
[[nodiscard]] bool parse_payload(std::string_view json, session_fields& out);
[[nodiscard]] bool parse_payload(std::string_view json, recording_fields& out);
[[nodiscard]] bool parse_payload(std::string_view json, route_fields& out);
[[nodiscard]] bool parse_payload(std::string_view json, user_fields& out);

// Deletions (session_deleted, recording_deleted) are tombstones in the
// deletions stream, {"id":"<uuid>"}, committed with the purge of the deleted
// entity's stream (event_log::purge_streams).
entity_id deletions_stream();
std::string deletion_payload(entity_id deleted);
std::optional<entity_id> parse_deletion(std::string_view payload);

// The inner JSON of a climb_updated payload ({"climb":X} → X) or of a
// pose_updated payload ({"pose":X} → X), without parsing: the validator
// wrote them. Empty if the payload does not have that shape.
std::string_view climb_of(std::string_view climb_updated_payload);
std::string_view pose_of(std::string_view pose_updated_payload);

}  // namespace belay::engine
