#pragma once
// Validation of REST request bodies (POST, PUT, PATCH) into the typed
// payloads of payloads.hpp, with errors shaped like Django REST Framework's:
// one or more messages per field, e.g.
//   {"status": ["\"flying\" is not a valid choice."]}
//
// Thread safety: free functions; each uses a thread-local parser.

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "belay/engine/payloads.hpp"

namespace belay::engine {

enum class write_mode {
    create,   // POST: required fields must be present; defaults are applied
    replace,  // PUT: required fields must be present; absent optional fields are left as they are
    partial,  // PATCH: every field optional
};

struct body_error {
    // Set when the body is not a JSON object at all: DRF answers
    // {"detail": "JSON parse error - …"} (or "Expected a dictionary…").
    std::string detail;
    // Otherwise one entry per offending field, in the order found:
    // (field name, message). A field may appear more than once.
    std::vector<std::pair<std::string, std::string>> fields;
};

template <class T>
using body_result = std::variant<T, body_error>;

// Writable fields: route (UUID or null), start_time (RFC 3339), end_time
// (RFC 3339 or null), status (started|completed|abandoned), climb_data (a
// Climb object, validated as in climb_update, or {}). Read-only fields (id,
// user, created, updated, last_seq, event_count, pose_frames) are ignored,
// as are unknown ones. On create: status defaults to "started", start_time
// to `now_us`, route and end_time to null, climb_data to {}. `user` is never
// set here: the caller sets it.
body_result<session_fields> validate_session_body(std::string_view body, write_mode mode,
                                                  std::int64_t now_us);

// Writable: name (required on create/replace, 1..255 chars), description
// (string, default ""), session (UUID, required on create/replace), duration
// (number >= 0, seconds, default 0), frame_count (integer >= 0, default 0),
// video_file_path (string <= 1024 chars, default ""), status
// (recording|processing|completed, default "recording").
body_result<recording_fields> validate_recording_body(std::string_view body, write_mode mode);

// Writable: name (required on create/replace, 1..255 chars), grade (string
// <= 32 chars, default ""), holds (array of at most 512 objects
// {"id": string|integer, "type": start|normal|finish, "x": 0..1, "y": 0..1},
// default []). Stored holds are compact JSON with exactly those four keys.
body_result<route_fields> validate_route_body(std::string_view body, write_mode mode);

// Writable: username (required; 1..150 chars of letters, digits and @.+-_),
// is_admin (bool, default false). token_sha256 is never set here.
body_result<user_fields> validate_user_body(std::string_view body, write_mode mode);

// The JSON text of a body_error: {"detail": "…"} or {"field": ["…", …], …}.
std::string to_json(const body_error& e);

}  // namespace belay::engine
