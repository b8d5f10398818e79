#pragma once
// Validation of the three client messages of PROTOCOL.md (session_update,
// climb_update, pose_update). A message is parsed once, checked field by
// field, and turned into the compact JSON payload the log stores.
//
// Thread safety: a message_validator owns a JSON parser and is not
// thread-safe; use one per thread (it is cheap to keep and reuse).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "belay/engine/event.hpp"

namespace belay::engine {

// Each failure has its own code; the wire name (code_name) is what the live
// socket sends back in {"type":"error","code":…}.
enum class validation_code {
    message_too_large,
    invalid_json,
    not_an_object,
    missing_field,
    wrong_type,
    invalid_choice,
    invalid_timestamp,
    invalid_value,
    too_many_items,
    unknown_type,
    empty_update,
};

std::string_view code_name(validation_code code);

struct validation_error {
    validation_code code;
    std::string field;    // dotted path of the offending field, e.g. climb.holds[2].status
    std::string message;  // human readable, names the field
};

struct validated_message {
    event_type type;        // the event it becomes: session_updated, climb_updated, pose_updated
    std::string client_id;  // the optional "id", empty if none
    std::string payload;  // compact JSON object with the event's fields only, in the client's text
    // A pose's payload in the form the log stores it, when the validator
    // produced it on the way (the common, plain pose); empty otherwise, and
    // the log packs the payload itself. Pass it on in append_request.
    std::string packed_pose;
};

struct validation_limits {
    std::size_t max_message_bytes = 1 << 20;
    std::size_t max_holds = 512;
    std::size_t max_landmarks = 128;
    std::size_t max_client_id_bytes = 128;
};

class message_validator {
  public:
    explicit message_validator(validation_limits limits = {});
    ~message_validator();
    message_validator(const message_validator&) = delete;
    message_validator& operator=(const message_validator&) = delete;

    // Validates one client message (the text of a WebSocket frame).
    std::variant<validated_message, validation_error> validate(std::string_view text);

    const validation_limits& limits() const { return limits_; }

  private:
    struct parser_state;
    validation_limits limits_;
    std::unique_ptr<parser_state> state_;
};

// Parses RFC 3339 (e.g. 2025-10-19T17:44:37.187Z or …+02:00) into µs since
// the epoch; false if the text is not a valid timestamp.
bool parse_rfc3339(std::string_view text, std::int64_t& us_out);

// Validates that `text` is well-formed JSON (used by verify and import).
bool is_valid_json(std::string_view text);

}  // namespace belay::engine
