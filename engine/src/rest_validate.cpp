// Validation of REST request bodies (rest_validate.hpp), shaped after Django
// REST Framework's serializers: every field is checked, in the order the
// serializer declares them, and every error is reported. The scalar field
// readers are in rest_validate_fields.cpp; the nested values (route holds,
// a session's climb) and the bodies themselves are here. Only the error-code
// API of simdjson is used: no input can throw.

#include "belay/engine/rest_validate.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "belay/engine/json_text.hpp"
#include "belay/engine/validate.hpp"
#include "rest_fields.hpp"

namespace belay::engine {
namespace {

using rest::body_reader;
using rest::error_list;
namespace dom = simdjson::dom;

constexpr std::array<std::string_view, 3> session_statuses{"started", "completed", "abandoned"};
constexpr std::array<std::string_view, 3> recording_statuses{"recording", "processing",
                                                             "completed"};
constexpr std::array<std::string_view, 3> hold_types{"start", "normal", "finish"};
constexpr std::size_t max_route_holds = 512;
constexpr rest::text_rules name_rules{.allow_blank = false, .max_chars = 255};

// The body as a JSON object, or DRF's "detail" for a body that is not one.
std::optional<dom::object> parse_body(std::string_view body, std::string& detail) {
    // One parser per thread, reused; its buffers grow to the largest body seen.
    thread_local dom::parser parser;
    dom::element root;
    const auto error =
        body.empty() ? simdjson::EMPTY : parser.parse(body.data(), body.size()).get(root);
    if (error == simdjson::EMPTY) {
        // What Python's json module says of a body with no value at all.
        detail = "JSON parse error - Expecting value: line 1 column 1 (char 0)";
        return std::nullopt;
    }
    if (error != simdjson::SUCCESS) {
        detail = fmt::format("JSON parse error - {}", simdjson::error_message(error));
        return std::nullopt;
    }
    dom::object object;
    if (root.get(object) != simdjson::SUCCESS) {
        detail = fmt::format("Invalid data. Expected a dictionary, but got {}.",
                             rest::python_type(root));
        return std::nullopt;
    }
    return object;
}

// ---- route holds -----------------------------------------------------------

// A member of a hold, which must be present and not null (in every mode:
// holds are replaced whole, never patched).
std::optional<dom::element> hold_member(dom::object hold, std::string_view key,
                                        const std::string& field, error_list& errors) {
    const auto found = rest::find_member(hold, key);
    if (!found) {
        errors.emplace_back(field, rest::required_message);
    } else if (found->is_null()) {
        errors.emplace_back(field, rest::not_null_message);
    } else {
        return found;
    }
    return std::nullopt;
}

// A hold id, string or integer, as JSON text.
std::optional<std::string> read_hold_id(dom::element value, const std::string& field,
                                        error_list& errors) {
    std::string_view text;
    if (value.get(text) == simdjson::SUCCESS) {
        if (text.empty()) {
            errors.emplace_back(field, "This field may not be blank.");
            return std::nullopt;
        }
        std::string out;
        append_json_string(out, text);
        return out;
    }
    const auto type = value.type();
    if (type == dom::element_type::INT64 || type == dom::element_type::UINT64)
        return simdjson::minify(value);
    errors.emplace_back(field, "Must be a string or an integer.");
    return std::nullopt;
}

// One hold, appended to `out` with exactly its four keys; false if refused.
bool read_hold(dom::element value, const std::string& path, error_list& errors, std::string& out) {
    dom::object hold;
    if (value.get(hold) != simdjson::SUCCESS) {
        errors.emplace_back(path, fmt::format("Invalid data. Expected a dictionary, but got {}.",
                                              rest::python_type(value)));
        return false;
    }
    const auto field = [&path](std::string_view key) { return path + "." + std::string(key); };
    std::optional<std::string> id;
    std::optional<std::string> type;
    std::optional<double> x;
    std::optional<double> y;
    if (auto v = hold_member(hold, "id", field("id"), errors))
        id = read_hold_id(*v, field("id"), errors);
    if (auto v = hold_member(hold, "type", field("type"), errors))
        type = rest::read_choice(*v, field("type"), hold_types, errors);
    if (auto v = hold_member(hold, "x", field("x"), errors))
        x = rest::read_number(*v, field("x"), 0, 1, errors);
    if (auto v = hold_member(hold, "y", field("y"), errors))
        y = rest::read_number(*v, field("y"), 0, 1, errors);
    if (!id || !type || !x || !y) return false;
    out += fmt::format(R"({{"id":{},"type":"{}","x":{},"y":{}}})", *id, *type, *x, *y);
    return true;
}

std::optional<std::string> read_holds(dom::element value, error_list& errors) {
    dom::array holds;
    if (value.get(holds) != simdjson::SUCCESS) {
        errors.emplace_back("holds", fmt::format("Expected a list of items but got type \"{}\".",
                                                 rest::python_type(value)));
        return std::nullopt;
    }
    if (holds.size() > max_route_holds) {
        errors.emplace_back("holds", fmt::format("Ensure this field has no more than {} elements.",
                                                 max_route_holds));
        return std::nullopt;
    }
    std::string out = "[";
    bool valid = true;
    std::size_t index = 0;
    for (const dom::element hold : holds) {
        if (out.size() > 1) out += ',';
        valid = read_hold(hold, fmt::format("holds[{}]", index++), errors, out) && valid;
    }
    out += ']';
    if (!valid) return std::nullopt;
    // Stored as simdjson writes it, since parse_payload reads holds back with
    // simdjson::minify: then a stored payload reads back byte for byte (fmt
    // and simdjson spell some doubles differently).
    thread_local dom::parser canonical_parser;
    dom::element canonical;
    if (canonical_parser.parse(out).get(canonical) != simdjson::SUCCESS) return out;
    return simdjson::minify(canonical);
}

// ---- climb_data ------------------------------------------------------------

// A climb_update's error, as an error of climb_data: the path moves from
// "climb…" to "climb_data…", the message loses its 'Field "…": ' prefix.
std::pair<std::string, std::string> climb_data_error(const validation_error& error) {
    std::string field = "climb_data";
    std::string_view path = error.field;
    if (path.starts_with("climb")) path.remove_prefix(5);
    field += path;
    if (error.code == validation_code::invalid_timestamp) {
        return {field,
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."};
    }
    const std::string prefix = "Field \"" + error.field + "\": ";
    std::string_view message = error.message;
    if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
    return {field, std::string(message)};
}

// A Climb, checked exactly as the live socket checks a climb_update's, or {}.
std::optional<std::string> read_climb_data(dom::element value, error_list& errors) {
    dom::object climb;
    if (value.get(climb) != simdjson::SUCCESS) {
        errors.emplace_back("climb_data",
                            fmt::format("Expected a dictionary of items but got type \"{}\".",
                                        rest::python_type(value)));
        return std::nullopt;
    }
    if (climb.size() == 0) return std::string("{}");
    // The REST body limit applies, not the socket's message limit.
    thread_local message_validator validator(
        validation_limits{.max_message_bytes = std::numeric_limits<std::size_t>::max()});
    std::string message = R"({"type":"climb_update","climb":)";
    message += simdjson::minify(value);
    message += '}';
    auto result = validator.validate(message);
    if (const auto* error = std::get_if<validation_error>(&result)) {
        errors.push_back(climb_data_error(*error));
        return std::nullopt;
    }
    return std::string(climb_of(std::get<validated_message>(result).payload));
}

// ---- bodies ----------------------------------------------------------------

template <class Fields, class Read>
body_result<Fields> validate_body(std::string_view body, write_mode mode, Read read) {
    body_error error;
    const auto object = parse_body(body, error.detail);
    if (!object) return error;
    body_reader reader(*object, mode, error.fields);
    Fields fields;
    read(reader, fields);
    if (!error.fields.empty()) return error;
    return fields;
}

// A nullable field: null is a value; anything else goes through `read`.
template <class T, class Read>
void read_nullable(body_reader& r, const std::string& key, nullable<T>& out, Read read) {
    const auto value = r.nullable_value(key);
    if (!value) return;
    if (!*value) {
        out.emplace();
    } else if (auto read_value = read(**value, key, r.errors())) {
        out = std::move(read_value);
    }
}

void read_session(body_reader& r, session_fields& f, std::int64_t now_us) {
    auto& errors = r.errors();
    read_nullable(r, "route", f.route, rest::read_uuid);
    if (auto v = r.value("start_time"))
        f.start_time = rest::read_datetime(*v, "start_time", errors);
    read_nullable(r, "end_time", f.end_time, rest::read_datetime);
    if (auto v = r.value("status"))
        f.status = rest::read_choice(*v, "status", session_statuses, errors);
    if (auto v = r.value("climb_data")) f.climb_data = read_climb_data(*v, errors);
    if (!r.creating()) return;
    if (!f.route) f.route.emplace();
    if (!f.start_time) f.start_time = now_us;
    if (!f.end_time) f.end_time.emplace();
    if (!f.status) f.status = "started";
    if (!f.climb_data) f.climb_data = "{}";
}

void read_recording(body_reader& r, recording_fields& f) {
    auto& errors = r.errors();
    if (auto v = r.value("name", true)) f.name = rest::read_text(*v, "name", name_rules, errors);
    if (auto v = r.value("description"))
        f.description = rest::read_text(*v, "description", {}, errors);
    if (auto v = r.value("session", true)) f.session = rest::read_uuid(*v, "session", errors);
    if (auto v = r.value("duration")) f.duration = rest::read_number(*v, "duration", 0, {}, errors);
    if (auto v = r.value("frame_count"))
        f.frame_count = rest::read_integer(*v, "frame_count", 0, errors);
    if (auto v = r.value("video_file_path"))
        f.video_file_path = rest::read_text(*v, "video_file_path", {.max_chars = 1024}, errors);
    if (auto v = r.value("status"))
        f.status = rest::read_choice(*v, "status", recording_statuses, errors);
    if (!r.creating()) return;
    if (!f.description) f.description = "";
    if (!f.duration) f.duration = 0.0;
    if (!f.frame_count) f.frame_count = 0;
    if (!f.video_file_path) f.video_file_path = "";
    if (!f.status) f.status = "recording";
}

void read_route(body_reader& r, route_fields& f) {
    auto& errors = r.errors();
    if (auto v = r.value("name", true)) f.name = rest::read_text(*v, "name", name_rules, errors);
    if (auto v = r.value("grade"))
        f.grade = rest::read_text(*v, "grade", {.max_chars = 32}, errors);
    if (auto v = r.value("holds")) f.holds = read_holds(*v, errors);
    if (!r.creating()) return;
    if (!f.grade) f.grade = "";
    if (!f.holds) f.holds = "[]";
}

void read_user(body_reader& r, user_fields& f) {
    auto& errors = r.errors();
    if (auto v = r.value("username", true))
        f.username = rest::read_username(*v, "username", errors);
    if (auto v = r.value("is_admin")) f.is_admin = rest::read_boolean(*v, "is_admin", errors);
    if (r.creating() && !f.is_admin) f.is_admin = false;
}

}  // namespace

body_result<session_fields> validate_session_body(std::string_view body, write_mode mode,
                                                  std::int64_t now_us) {
    return validate_body<session_fields>(
        body, mode, [now_us](body_reader& r, session_fields& f) { read_session(r, f, now_us); });
}

body_result<recording_fields> validate_recording_body(std::string_view body, write_mode mode) {
    return validate_body<recording_fields>(body, mode, read_recording);
}

body_result<route_fields> validate_route_body(std::string_view body, write_mode mode) {
    return validate_body<route_fields>(body, mode, read_route);
}

body_result<user_fields> validate_user_body(std::string_view body, write_mode mode) {
    return validate_body<user_fields>(body, mode, read_user);
}

std::string to_json(const body_error& e) {
    std::string out = "{";
    if (e.fields.empty()) {
        out += "\"detail\":";
        append_json_string(out, e.detail);
        out += '}';
        return out;
    }
    // Fields in the order first seen, each with all its messages.
    std::vector<std::string_view> fields;
    for (const auto& [field, message] : e.fields) {
        if (std::find(fields.begin(), fields.end(), field) == fields.end()) fields.push_back(field);
    }
    for (const std::string_view field : fields) {
        if (out.size() > 1) out += ',';
        append_json_string(out, field);
        out += ":[";
        bool first = true;
        for (const auto& [name, message] : e.fields) {
            if (name != field) continue;
            if (!first) out += ',';
            first = false;
            append_json_string(out, message);
        }
        out += ']';
    }
    out += '}';
    return out;
}

}  // namespace belay::engine
