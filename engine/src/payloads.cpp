// The stored payloads of REST-written events (payloads.hpp): written by hand
// as compact JSON, read back with simdjson's DOM API. Parsing is strict: a
// payload is accepted only if it has the shape to_payload writes (known keys,
// each at most once, of the right type), since anything else means the log
// holds bytes this code did not write. Only the error-code API of simdjson is
// used: no input can throw.

#include "belay/engine/payloads.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "belay/engine/event.hpp"
#include "belay/engine/json_text.hpp"
#include "belay/engine/validate.hpp"

namespace belay::engine {
namespace {

namespace dom = simdjson::dom;

// ---- writing ---------------------------------------------------------------

// Starts the member `key` of the object being written into `out` ("{…").
void member(std::string& out, std::string_view key) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += key;  // keys are the constants below: nothing to escape
    out += "\":";
}

void put_string(std::string& out, std::string_view key, const std::optional<std::string>& v) {
    if (!v) return;
    member(out, key);
    append_json_string(out, *v);
}

void put_raw(std::string& out, std::string_view key, const std::optional<std::string>& json) {
    if (!json) return;
    member(out, key);
    out += *json;
}

void put_id(std::string& out, std::string_view key, const std::optional<entity_id>& id) {
    if (!id) return;
    member(out, key);
    append_json_string(out, id->to_string());
}

void put_nullable_id(std::string& out, std::string_view key, const nullable<entity_id>& id) {
    if (!id) return;
    member(out, key);
    if (*id) {
        append_json_string(out, (*id)->to_string());
    } else {
        out += "null";
    }
}

void put_time(std::string& out, std::string_view key, const std::optional<std::int64_t>& us) {
    if (!us) return;
    member(out, key);
    append_json_string(out, format_time_us(*us));
}

void put_nullable_time(std::string& out, std::string_view key, const nullable<std::int64_t>& us) {
    if (!us) return;
    member(out, key);
    if (*us) {
        append_json_string(out, format_time_us(**us));
    } else {
        out += "null";
    }
}

void put_int(std::string& out, std::string_view key, const std::optional<std::int64_t>& v) {
    if (!v) return;
    member(out, key);
    out += std::to_string(*v);
}

// fmt's "{}" is the shortest text that reads back as the same double, but
// for -0.0: its "-0" reads back as the integer 0. JSON has no infinities or
// NaN: those are written as null, which parse refuses.
void put_double(std::string& out, std::string_view key, const std::optional<double>& v) {
    if (!v) return;
    member(out, key);
    if (!std::isfinite(*v)) {
        out += "null";
    } else if (*v == 0 && std::signbit(*v)) {
        out += "-0.0";
    } else {
        out += fmt::format("{}", *v);
    }
}

void put_bool(std::string& out, std::string_view key, const std::optional<bool>& v) {
    if (!v) return;
    member(out, key);
    out += *v ? "true" : "false";
}

// ---- reading ---------------------------------------------------------------
// Each reader fails on a repeated key (its output is already set) or a value
// of the wrong type.

bool read_string(dom::element value, std::optional<std::string>& out) {
    std::string_view text;
    if (out || value.get(text) != simdjson::SUCCESS) return false;
    out = std::string(text);
    return true;
}

bool read_id(dom::element value, std::optional<entity_id>& out) {
    std::string_view text;
    if (out || value.get(text) != simdjson::SUCCESS) return false;
    out = entity_id::parse(text);
    return out.has_value();
}

bool read_nullable_id(dom::element value, nullable<entity_id>& out) {
    if (out) return false;
    if (value.is_null()) {
        out.emplace();
        return true;
    }
    std::optional<entity_id> id;
    if (!read_id(value, id)) return false;
    out = id;
    return true;
}

bool read_time(dom::element value, std::optional<std::int64_t>& out) {
    std::string_view text;
    std::int64_t us = 0;
    if (out || value.get(text) != simdjson::SUCCESS || !parse_rfc3339(text, us)) return false;
    out = us;
    return true;
}

bool read_nullable_time(dom::element value, nullable<std::int64_t>& out) {
    if (out) return false;
    if (value.is_null()) {
        out.emplace();
        return true;
    }
    std::optional<std::int64_t> us;
    if (!read_time(value, us)) return false;
    out = us;
    return true;
}

// A nested object or array, kept as compact JSON text.
bool read_raw(dom::element value, dom::element_type type, std::optional<std::string>& out) {
    if (out || value.type() != type) return false;
    out = simdjson::minify(value);
    return true;
}

bool read_int(dom::element value, std::optional<std::int64_t>& out) {
    std::int64_t number = 0;
    if (out || value.get(number) != simdjson::SUCCESS) return false;
    out = number;
    return true;
}

// Whole numbers are written without a fraction ("{}" of 2.0 is "2"): accept
// any JSON number.
bool read_double(dom::element value, std::optional<double>& out) {
    double number = 0;
    if (out || !value.is_number() || value.get(number) != simdjson::SUCCESS) return false;
    out = number;
    return true;
}

bool read_bool(dom::element value, std::optional<bool>& out) {
    bool flag = false;
    if (out || value.get(flag) != simdjson::SUCCESS) return false;
    out = flag;
    return true;
}

bool read_member(std::string_view key, dom::element value, session_fields& f) {
    if (key == "user") return read_string(value, f.user);
    if (key == "route") return read_nullable_id(value, f.route);
    if (key == "start_time") return read_time(value, f.start_time);
    if (key == "end_time") return read_nullable_time(value, f.end_time);
    if (key == "status") return read_string(value, f.status);
    if (key == "climb_data") return read_raw(value, dom::element_type::OBJECT, f.climb_data);
    return false;
}

bool read_member(std::string_view key, dom::element value, recording_fields& f) {
    if (key == "name") return read_string(value, f.name);
    if (key == "description") return read_string(value, f.description);
    if (key == "session") return read_id(value, f.session);
    if (key == "duration") return read_double(value, f.duration);
    if (key == "frame_count") return read_int(value, f.frame_count);
    if (key == "video_file_path") return read_string(value, f.video_file_path);
    if (key == "status") return read_string(value, f.status);
    return false;
}

bool read_member(std::string_view key, dom::element value, route_fields& f) {
    if (key == "name") return read_string(value, f.name);
    if (key == "grade") return read_string(value, f.grade);
    if (key == "holds") return read_raw(value, dom::element_type::ARRAY, f.holds);
    return false;
}

bool read_member(std::string_view key, dom::element value, user_fields& f) {
    if (key == "username") return read_string(value, f.username);
    if (key == "token_sha256") return read_string(value, f.token_sha256);
    if (key == "is_admin") return read_bool(value, f.is_admin);
    return false;
}

// Parses `json` as an object whose every member read_member accepts. `out` is
// only assigned on success.
template <class Fields>
bool parse_object(std::string_view json, Fields& out) {
    // One parser per thread, reused; its buffers grow to the largest payload seen.
    thread_local dom::parser parser;
    dom::element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) return false;
    dom::object object;
    if (root.get(object) != simdjson::SUCCESS) return false;
    Fields fields;
    for (const dom::key_value_pair field : object) {
        if (!read_member(field.key, field.value, fields)) return false;
    }
    out = std::move(fields);
    return true;
}

// The text between `head` and a final '}', or empty if `payload` is not so shaped.
std::string_view inner_of(std::string_view payload, std::string_view head) {
    if (payload.size() <= head.size() + 1 || !payload.starts_with(head) || !payload.ends_with('}'))
        return {};
    return payload.substr(head.size(), payload.size() - head.size() - 1);
}

}  // namespace

std::string to_payload(const session_fields& f) {
    std::string out = "{";
    put_string(out, "user", f.user);
    put_nullable_id(out, "route", f.route);
    put_time(out, "start_time", f.start_time);
    put_nullable_time(out, "end_time", f.end_time);
    put_string(out, "status", f.status);
    put_raw(out, "climb_data", f.climb_data);
    out += '}';
    return out;
}

std::string to_payload(const recording_fields& f) {
    std::string out = "{";
    put_string(out, "name", f.name);
    put_string(out, "description", f.description);
    put_id(out, "session", f.session);
    put_double(out, "duration", f.duration);
    put_int(out, "frame_count", f.frame_count);
    put_string(out, "video_file_path", f.video_file_path);
    put_string(out, "status", f.status);
    out += '}';
    return out;
}

std::string to_payload(const route_fields& f) {
    std::string out = "{";
    put_string(out, "name", f.name);
    put_string(out, "grade", f.grade);
    put_raw(out, "holds", f.holds);
    out += '}';
    return out;
}

std::string to_payload(const user_fields& f) {
    std::string out = "{";
    put_string(out, "username", f.username);
    put_string(out, "token_sha256", f.token_sha256);
    put_bool(out, "is_admin", f.is_admin);
    out += '}';
    return out;
}

bool parse_payload(std::string_view json, session_fields& out) {
    return parse_object(json, out);
}

bool parse_payload(std::string_view json, recording_fields& out) {
    return parse_object(json, out);
}

bool parse_payload(std::string_view json, route_fields& out) {
    return parse_object(json, out);
}

bool parse_payload(std::string_view json, user_fields& out) {
    return parse_object(json, out);
}

std::string_view climb_of(std::string_view climb_updated_payload) {
    return inner_of(climb_updated_payload, "{\"climb\":");
}

std::string_view pose_of(std::string_view pose_updated_payload) {
    return inner_of(pose_updated_payload, "{\"pose\":");
}

}  // namespace belay::engine
