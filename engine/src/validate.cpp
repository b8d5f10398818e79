// Validation of the live socket's client messages (PROTOCOL.md, "Live
// socket"). A plain pose goes the fast path (plain_pose.cpp); every other
// message is parsed once with simdjson's DOM API and checked field by field
// in document order of the contract. The payload the log stores is the
// client's own text of the member, made compact. Only the error-code API of
// simdjson is used: no input can throw.

#include "belay/engine/validate.hpp"

#include "validate_paths.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace belay::engine {

struct message_validator::parser_state {
    simdjson::dom::parser parser;  // reused: keeps its buffers between messages
};

namespace {

namespace dom = simdjson::dom;

// The outcome of one check: nothing when the value passed, else the first error.
using check = std::optional<validation_error>;

constexpr std::array<std::string_view, 3> session_statuses{"started", "completed", "abandoned"};
constexpr std::array<std::string_view, 3> hold_types{"start", "normal", "finish"};
constexpr std::array<std::string_view, 5> hold_statuses{"untouched", "grabbed", "completed",
                                                        "released", "failed"};
constexpr std::array<std::string_view, 4> climb_statuses{"waiting", "started", "completed",
                                                         "failed"};

// Client values echoed in messages are cut short: an error must stay small.
constexpr std::size_t max_echo_bytes = 64;

validation_error fail(validation_code code, std::string field, std::string_view detail) {
    std::string message;
    if (!field.empty()) message = "Field \"" + field + "\": ";
    message += detail;
    return {code, std::move(field), std::move(message)};
}

// `value` in double quotes, cut at a UTF-8 character boundary if too long.
std::string quoted(std::string_view value) {
    if (value.size() <= max_echo_bytes) return "\"" + std::string(value) + "\"";
    std::size_t cut = max_echo_bytes;
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80)
        --cut;
    return "\"" + std::string(value.substr(0, cut)) + "...\"";
}

std::string_view type_name(dom::element value) {
    switch (value.type()) {
        case dom::element_type::ARRAY:
            return "an array";
        case dom::element_type::OBJECT:
            return "an object";
        case dom::element_type::INT64:
        case dom::element_type::UINT64:
        case dom::element_type::DOUBLE:
            return "a number";
        case dom::element_type::STRING:
            return "a string";
        case dom::element_type::BOOL:
            return "a boolean";
        case dom::element_type::NULL_VALUE:
            return "null";
    }
    return "an unknown value";
}

validation_error wrong_type(std::string path, std::string_view expected, dom::element value) {
    const std::string detail =
        "Expected " + std::string(expected) + " but got " + std::string(type_name(value)) + ".";
    return fail(validation_code::wrong_type, std::move(path), detail);
}

std::string join(const std::string& parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    return parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

// Finds `key` in `object`. A repeated key is refused: JSON parsers disagree on
// which copy wins, and the stored payload must mean what was validated.
check find_unique(dom::object object, std::string_view key, const std::string& path,
                  std::optional<dom::element>& out) {
    out.reset();
    for (const dom::key_value_pair field : object) {
        if (field.key != key) continue;
        if (out) return fail(validation_code::invalid_value, path, "Duplicate key.");
        out = field.value;
    }
    return std::nullopt;
}

check find_required(dom::object object, std::string_view key, const std::string& path,
                    dom::element& out) {
    std::optional<dom::element> found;
    if (auto error = find_unique(object, key, path, found)) return error;
    if (!found) return fail(validation_code::missing_field, path, "This field is required.");
    out = *found;
    return std::nullopt;
}

check check_choice(dom::element value, const std::string& path,
                   std::span<const std::string_view> choices) {
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) return wrong_type(path, "a string", value);
    if (std::find(choices.begin(), choices.end(), text) != choices.end()) return std::nullopt;
    return fail(validation_code::invalid_choice, path, quoted(text) + " is not a valid choice.");
}

// An RFC 3339 string or null; `us_out` holds the time of a string.
check check_timestamp(dom::element value, const std::string& path,
                      std::optional<std::int64_t>& us_out) {
    us_out.reset();
    if (value.is_null()) return std::nullopt;
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) {
        return wrong_type(path, "an RFC 3339 timestamp string or null", value);
    }
    std::int64_t us = 0;
    if (!parse_rfc3339(text, us)) {
        return fail(validation_code::invalid_timestamp, path,
                    quoted(text) + " is not a valid RFC 3339 timestamp.");
    }
    us_out = us;
    return std::nullopt;
}

check check_number(dom::element value, const std::string& path, double& out) {
    if (!value.is_number() || value.get(out) != simdjson::SUCCESS) {
        return wrong_type(path, "a number", value);
    }
    if (!std::isfinite(out)) return fail(validation_code::invalid_value, path, "Not finite.");
    return std::nullopt;
}

check check_choice_field(dom::object object, std::string_view key, const std::string& parent,
                         std::span<const std::string_view> choices, bool required) {
    const std::string path = join(parent, key);
    std::optional<dom::element> value;
    if (auto error = find_unique(object, key, path, value)) return error;
    if (!value) {
        if (!required) return std::nullopt;
        return fail(validation_code::missing_field, path, "This field is required.");
    }
    return check_choice(*value, path, choices);
}

check check_optional_time_field(dom::object object, std::string_view key,
                                const std::string& parent) {
    const std::string path = join(parent, key);
    std::optional<dom::element> value;
    if (auto error = find_unique(object, key, path, value)) return error;
    std::optional<std::int64_t> us;
    return value ? check_timestamp(*value, path, us) : std::nullopt;
}

validation_error too_many(const std::string& path, std::size_t max_items) {
    return fail(validation_code::too_many_items, path,
                "Ensure this field has no more than " + std::to_string(max_items) + " elements.");
}

// ---- payloads: the client's own text, compact -------------------------------
//
// A payload is the member's value as the client wrote it, without the
// whitespace: numbers and strings keep their exact text (no re-printing, which
// cost more than the whole rest of a pose's validation). simdjson has accepted
// the text, so the scans below may assume valid JSON.

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_space(std::string_view json, std::size_t at) {
    while (at < json.size() && is_space(json[at]))
        ++at;
    return at;
}

// `at` is on a string's opening quote; returns the position after its close.
std::size_t skip_string(std::string_view json, std::size_t at) {
    for (++at; at < json.size() && json[at] != '"'; ++at)
        if (json[at] == '\\') ++at;
    return at + 1;
}

// `at` is on a value's first character; returns the position after it.
std::size_t skip_value(std::string_view json, std::size_t at) {
    if (json[at] == '"') return skip_string(json, at);
    if (json[at] != '{' && json[at] != '[') {
        while (at < json.size() && json[at] != ',' && json[at] != '}' && json[at] != ']' &&
               !is_space(json[at]))
            ++at;
        return at;
    }
    int depth = 0;
    while (at < json.size()) {
        char c = json[at];
        if (c == '"') {
            at = skip_string(json, at);
            continue;
        }
        ++at;
        if (c == '{' || c == '[') ++depth;
        if ((c == '}' || c == ']') && --depth == 0) break;
    }
    return at;
}

// The text of the value of the top-level object's `index`-th member, maybe
// with whitespace after it (minify drops it). The last member's value runs to
// the object's closing brace: a pose, usually last, is then found without
// scanning its few kilobytes.
std::string_view member_text(std::string_view json, std::size_t index, bool last) {
    std::size_t at = skip_space(json, 0) + 1;  // past '{'
    for (std::size_t i = 0;; ++i) {
        at = skip_space(json, at);
        at = skip_space(json, skip_string(json, at)) + 1;  // the key, ':'
        auto start = skip_space(json, at);
        if (i == index && last)
            return json.substr(start, json.find_last_of('}') - start);  // the object's own
        at = skip_value(json, start);
        if (i == index) return json.substr(start, at - start);
        at = skip_space(json, at) + 1;  // ','
    }
}

// Appends the value of `message`'s member `key` (present, and only once) as
// written in `text`, without insignificant whitespace. Members are found by
// position: the DOM keeps their order, and a key may be spelled with escapes.
void append_member_text(std::string& out, std::string_view text, dom::object message,
                        std::string_view key) {
    std::size_t index = 0;
    dom::element element;
    for (const dom::key_value_pair field : message) {
        if (field.key == key) {
            element = field.value;
            break;
        }
        ++index;
    }
    auto value = member_text(text, index, index + 1 == message.size());
    auto at = out.size();
    out.resize(at + value.size() + simdjson::SIMDJSON_PADDING);
    std::size_t written = 0;
    if (simdjson::minify(value.data(), value.size(), out.data() + at, written) !=
        simdjson::SUCCESS) {
        out.resize(at);  // not for text the parser accepted; re-printed then
        out += simdjson::to_string(element);
        return;
    }
    out.resize(at + written);
}

// ---- session_update --------------------------------------------------------

// Appends "key":json_value to the object being written into `out` ("{…").
void append_member(std::string& out, std::string_view key, std::string_view json_value) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += key;
    out += "\":";
    out += json_value;
}

check add_session_status(dom::object message, std::string& payload) {
    std::optional<dom::element> value;
    if (auto error = find_unique(message, "status", "status", value)) return error;
    if (!value) return std::nullopt;
    if (auto error = check_choice(*value, "status", session_statuses)) return error;
    std::string_view status;
    if (value->get(status) != simdjson::SUCCESS) return wrong_type("status", "a string", *value);
    append_member(payload, "status", "\"" + std::string(status) + "\"");
    return std::nullopt;
}

check add_session_time(dom::object message, std::string_view key, std::string& payload) {
    const std::string path(key);
    std::optional<dom::element> value;
    if (auto error = find_unique(message, key, path, value)) return error;
    if (!value) return std::nullopt;
    std::optional<std::int64_t> us;
    if (auto error = check_timestamp(*value, path, us)) return error;
    append_member(payload, key, us ? "\"" + format_time_us(*us) + "\"" : std::string("null"));
    return std::nullopt;
}

check check_session_update(dom::object message, std::string& payload) {
    payload = "{";
    if (auto error = add_session_status(message, payload)) return error;
    if (auto error = add_session_time(message, "start_time", payload)) return error;
    if (auto error = add_session_time(message, "end_time", payload)) return error;
    if (payload.size() == 1) {
        return fail(validation_code::empty_update, "",
                    "A session_update needs at least one of status, start_time, end_time.");
    }
    payload += '}';
    return std::nullopt;
}

// ---- climb_update ----------------------------------------------------------

check check_hold(dom::element value, const std::string& path) {
    dom::object hold;
    if (value.get(hold) != simdjson::SUCCESS) return wrong_type(path, "an object", value);
    const std::string id_path = join(path, "id");
    dom::element id;
    if (auto error = find_required(hold, "id", id_path, id)) return error;
    const auto id_type = id.type();
    if (id_type != dom::element_type::STRING && id_type != dom::element_type::INT64 &&
        id_type != dom::element_type::UINT64) {
        return wrong_type(id_path, "a string or an integer", id);
    }
    if (auto error = check_choice_field(hold, "type", path, hold_types, true)) return error;
    if (auto error = check_choice_field(hold, "status", path, hold_statuses, true)) return error;
    return check_optional_time_field(hold, "time", path);
}

check check_holds(dom::object climb, const validation_limits& limits) {
    const std::string path = "climb.holds";
    dom::element value;
    if (auto error = find_required(climb, "holds", path, value)) return error;
    dom::array holds;
    if (value.get(holds) != simdjson::SUCCESS) return wrong_type(path, "an array", value);
    if (holds.size() > limits.max_holds) return too_many(path, limits.max_holds);
    std::size_t index = 0;
    for (const dom::element hold : holds) {
        if (auto error = check_hold(hold, index_path(path, index))) return error;
        ++index;
    }
    return std::nullopt;
}

check check_climb_update(dom::object message, std::string_view text,
                         const validation_limits& limits, std::string& payload) {
    const std::string path = "climb";
    dom::element value;
    if (auto error = find_required(message, "climb", path, value)) return error;
    dom::object climb;
    if (value.get(climb) != simdjson::SUCCESS) return wrong_type(path, "an object", value);
    if (auto error = check_holds(climb, limits)) return error;
    if (auto error = check_optional_time_field(climb, "startTime", path)) return error;
    if (auto error = check_optional_time_field(climb, "endTime", path)) return error;
    if (auto error = check_choice_field(climb, "status", path, climb_statuses, false)) {
        return error;
    }
    payload = "{\"climb\":";
    append_member_text(payload, text, message, "climb");
    payload += '}';
    return std::nullopt;
}

// ---- pose_update -----------------------------------------------------------

// The landmark's fields are found in one pass, and its path is spelled only
// for an error: a pose has dozens of landmarks, and this runs for each of the
// rig's 30 frames a second. The checks and their order are those of the
// generic helpers (x, y, then z and visibility: duplicate, missing, type).
check check_landmark(dom::element value, std::size_t index) {
    auto path = [&] { return index_path("pose", index); };
    dom::object landmark;
    if (value.get(landmark) != simdjson::SUCCESS) return wrong_type(path(), "an object", value);
    constexpr std::array<std::string_view, 4> keys{"x", "y", "z", "visibility"};
    std::array<std::optional<dom::element>, 4> found;
    std::array<bool, 4> repeated{};
    for (const dom::key_value_pair field : landmark) {
        for (std::size_t k = 0; k < keys.size(); ++k) {
            if (field.key != keys[k]) continue;
            if (found[k]) repeated[k] = true;
            found[k] = field.value;
            break;
        }
    }
    double visibility = 0;
    for (std::size_t k = 0; k < keys.size(); ++k) {
        if (repeated[k])
            return fail(validation_code::invalid_value, join(path(), keys[k]), "Duplicate key.");
        if (!found[k]) {
            if (k >= 2) continue;  // z and visibility are optional
            return fail(validation_code::missing_field, join(path(), keys[k]),
                        "This field is required.");
        }
        double number = 0;
        if (!found[k]->is_number() || found[k]->get(number) != simdjson::SUCCESS ||
            !std::isfinite(number)) {
            if (auto error = check_number(*found[k], join(path(), keys[k]), number)) return error;
        }
        if (k == 3) visibility = number;
    }
    if (found[3] && (visibility < 0.0 || visibility > 1.0)) {
        return fail(validation_code::invalid_value, join(path(), "visibility"),
                    "Ensure this value is between 0 and 1.");
    }
    return std::nullopt;
}

check check_pose_update(dom::object message, std::string_view text, const validation_limits& limits,
                        std::string& payload) {
    const std::string path = "pose";
    dom::element value;
    if (auto error = find_required(message, "pose", path, value)) return error;
    dom::array pose;
    if (value.get(pose) != simdjson::SUCCESS) return wrong_type(path, "an array", value);
    const std::size_t count = pose.size();
    if (count == 0)
        return fail(validation_code::invalid_value, path, "This list may not be empty.");
    if (count > limits.max_landmarks) return too_many(path, limits.max_landmarks);
    std::size_t index = 0;
    for (const dom::element landmark : pose) {
        if (auto error = check_landmark(landmark, index)) return error;
        ++index;
    }
    payload = "{\"pose\":";
    append_member_text(payload, text, message, "pose");
    payload += '}';
    return std::nullopt;
}

// ---- envelope --------------------------------------------------------------

std::optional<event_type> event_for(std::string_view message_type) {
    if (message_type == "session_update") return event_type::session_updated;
    if (message_type == "climb_update") return event_type::climb_updated;
    if (message_type == "pose_update") return event_type::pose_updated;
    return std::nullopt;
}

check check_type(dom::object message, event_type& out) {
    dom::element value;
    if (auto error = find_required(message, "type", "type", value)) return error;
    std::string_view name;
    if (value.get(name) != simdjson::SUCCESS) return wrong_type("type", "a string", value);
    const auto type = event_for(name);
    if (!type) {
        return validation_error{validation_code::unknown_type, "type",
                                "Unknown message type " + quoted(name) + "."};
    }
    out = *type;
    return std::nullopt;
}

check check_client_id(dom::object message, std::size_t max_bytes, std::string& out) {
    std::optional<dom::element> value;
    if (auto error = find_unique(message, "id", "id", value)) return error;
    if (!value) return std::nullopt;
    std::string_view id;
    if (value->get(id) != simdjson::SUCCESS) return wrong_type("id", "a string", *value);
    if (id.empty())
        return fail(validation_code::invalid_value, "id", "This field may not be blank.");
    if (id.size() > max_bytes) {
        return fail(validation_code::invalid_value, "id",
                    "Ensure this field has no more than " + std::to_string(max_bytes) + " bytes.");
    }
    out = std::string(id);
    return std::nullopt;
}

check check_message(dom::object message, std::string_view text, const validation_limits& limits,
                    validated_message& out) {
    if (auto error = check_type(message, out.type)) return error;
    if (auto error = check_client_id(message, limits.max_client_id_bytes, out.client_id)) {
        return error;
    }
    switch (out.type) {
        case event_type::session_updated:
            return check_session_update(message, out.payload);
        case event_type::climb_updated:
            return check_climb_update(message, text, limits, out.payload);
        case event_type::pose_updated:
            return check_pose_update(message, text, limits, out.payload);
        default:
            break;
    }
    return validation_error{validation_code::unknown_type, "type", "Unknown message type."};
}

validation_error invalid_json(std::string_view detail) {
    std::string message = "Malformed JSON: " + std::string(detail);
    if (message.back() != '.') message += '.';
    return fail(validation_code::invalid_json, "", message);
}

}  // namespace

std::string_view code_name(validation_code code) {
    switch (code) {
        case validation_code::message_too_large:
            return "message_too_large";
        case validation_code::invalid_json:
            return "invalid_json";
        case validation_code::not_an_object:
            return "not_an_object";
        case validation_code::missing_field:
            return "missing_field";
        case validation_code::wrong_type:
            return "wrong_type";
        case validation_code::invalid_choice:
            return "invalid_choice";
        case validation_code::invalid_timestamp:
            return "invalid_timestamp";
        case validation_code::invalid_value:
            return "invalid_value";
        case validation_code::too_many_items:
            return "too_many_items";
        case validation_code::unknown_type:
            return "unknown_type";
        case validation_code::empty_update:
            return "empty_update";
    }
    return "unknown";
}

message_validator::message_validator(validation_limits limits)
    : limits_(limits), state_(std::make_unique<parser_state>()) {}

message_validator::~message_validator() = default;

namespace {

std::optional<validation_error> check_size(std::string_view text, const validation_limits& limits) {
    if (text.size() > limits.max_message_bytes) {
        return fail(validation_code::message_too_large, "",
                    "Message of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                        std::to_string(limits.max_message_bytes) + " bytes.");
    }
    if (text.empty()) return invalid_json("the message is empty.");
    return std::nullopt;
}

std::variant<validated_message, validation_error> validate_parsed(dom::parser& parser,
                                                                  std::string_view text,
                                                                  const validation_limits& limits) {
    dom::element root;
    const auto parse_error = parser.parse(text.data(), text.size()).get(root);
    if (parse_error != simdjson::SUCCESS) return invalid_json(simdjson::error_message(parse_error));
    dom::object message;
    if (root.get(message) != simdjson::SUCCESS) {
        return fail(validation_code::not_an_object, "", "A message must be a JSON object.");
    }
    validated_message out;
    if (auto error = check_message(message, text, limits, out)) return std::move(*error);
    return out;
}

}  // namespace

std::variant<validated_message, validation_error> message_validator::validate(
    std::string_view text) {
    if (auto error = check_size(text, limits_)) return std::move(*error);
    validated_message out;
    if (validate_plain_pose(text, limits_, out)) return out;
    return validate_parsed(state_->parser, text, limits_);
}

std::variant<validated_message, validation_error> validate_with_dom(
    std::string_view text, const validation_limits& limits) {
    if (auto error = check_size(text, limits)) return std::move(*error);
    thread_local simdjson::dom::parser parser;
    return validate_parsed(parser, text, limits);
}

bool is_valid_json(std::string_view text) {
    if (text.empty()) return false;
    // One parser per thread, reused; its buffers grow to the largest text seen.
    thread_local simdjson::dom::parser parser;
    dom::element root;
    return parser.parse(text.data(), text.size()).get(root) == simdjson::SUCCESS;
}

}  // namespace belay::engine
