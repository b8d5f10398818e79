// Validation of REST bodies into typed payloads, with DRF-shaped errors.

#include "belay/engine/rest_validate.hpp"

#include <simdjson.h>

#include <array>
#include <cmath>

#include <fmt/format.h>

#include "belay/engine/json_text.hpp"
#include "belay/engine/validate.hpp"

namespace belay::engine {
namespace {

namespace dom = simdjson::dom;

constexpr std::array<std::string_view, 3> session_statuses{"started", "completed", "abandoned"};
constexpr std::array<std::string_view, 3> recording_statuses{"recording", "processing",
                                                             "completed"};
constexpr std::array<std::string_view, 3> hold_types{"start", "normal", "finish"};
constexpr std::size_t max_route_holds = 512;

std::string_view python_type(dom::element e) {
    switch (e.type()) {
        case dom::element_type::ARRAY:
            return "list";
        case dom::element_type::OBJECT:
            return "dict";
        case dom::element_type::STRING:
            return "str";
        case dom::element_type::INT64:
        case dom::element_type::UINT64:
            return "int";
        case dom::element_type::DOUBLE:
            return "float";
        case dom::element_type::BOOL:
            return "bool";
        case dom::element_type::NULL_VALUE:
            return "NoneType";
    }
    return "object";
}

// Reads the fields of one body, collecting every error.
class fields {
  public:
    fields(dom::object object, write_mode mode, body_error& errors)
        : object_(object), mode_(mode), errors_(errors) {}

    void error(std::string field, std::string message) {
        errors_.fields.emplace_back(std::move(field), std::move(message));
    }

    // The member, or nullopt when absent (an error if it is required and the
    // mode requires it) or null (an error unless `nullable`; `was_null` tells).
    std::optional<dom::element> get(const char* name, bool required, bool nullable = false,
                                    bool* was_null = nullptr) {
        dom::element e;
        if (object_[name].get(e) != simdjson::SUCCESS) {
            if (required && mode_ != write_mode::partial) error(name, "This field is required.");
            return std::nullopt;
        }
        if (e.is_null()) {
            if (was_null) *was_null = true;
            if (!nullable) error(name, "This field may not be null.");
            return std::nullopt;
        }
        return e;
    }

    std::optional<std::string> text(const char* name, bool required, std::size_t max_length,
                                    bool allow_blank) {
        auto e = get(name, required);
        if (!e) return std::nullopt;
        std::string_view s;
        if (e->get(s)) return error(name, "Not a valid string."), std::nullopt;
        if (s.empty() && !allow_blank)
            return error(name, "This field may not be blank."), std::nullopt;
        if (utf8_length(s) > max_length)
            return error(name, fmt::format("Ensure this field has no more than {} characters.",
                                           max_length)),
                   std::nullopt;
        return std::string(s);
    }

    template <std::size_t N>
    std::optional<std::string> choice(const char* name, const std::array<std::string_view, N>& of) {
        auto e = get(name, false);
        if (!e) return std::nullopt;
        std::string_view s;
        if (e->get(s) || std::find(of.begin(), of.end(), s) == of.end()) {
            std::string shown = s.data() ? std::string(s) : simdjson::minify(*e);
            error(name, "\"" + shown + "\" is not a valid choice.");
            return std::nullopt;
        }
        return std::string(s);
    }

    // A UUID; with `nullable`, null is a value (the outer optional is set).
    nullable<entity_id> uuid(const char* name, bool required, bool nullable) {
        bool was_null = false;
        auto e = get(name, required, nullable, &was_null);
        if (was_null && nullable) return std::optional<entity_id>{};
        if (!e) return std::nullopt;
        std::string_view s;
        std::optional<entity_id> id;
        if (!e->get(s)) id = entity_id::parse(s);
        if (!id) return error(name, "Must be a valid UUID."), std::nullopt;
        return id;
    }

    nullable<std::int64_t> time(const char* name, bool nullable) {
        bool was_null = false;
        auto e = get(name, false, nullable, &was_null);
        if (was_null && nullable) return std::optional<std::int64_t>{};
        if (!e) return std::nullopt;
        std::string_view s;
        std::int64_t us = 0;
        if (e->get(s) || !parse_rfc3339(s, us))
            return error(name,
                         "Datetime has wrong format. Use one of these formats instead: "
                         "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."),
                   std::nullopt;
        return std::optional<std::int64_t>{us};
    }

    std::optional<double> number(const char* name, double min) {
        auto e = get(name, false);
        if (!e) return std::nullopt;
        double d = 0;
        if (e->get(d) || !std::isfinite(d))
            return error(name, "A valid number is required."), std::nullopt;
        if (d < min)
            return error(name,
                         fmt::format("Ensure this value is greater than or equal to {}.", min)),
                   std::nullopt;
        return d;
    }

    std::optional<std::int64_t> integer(const char* name, std::int64_t min) {
        auto e = get(name, false);
        if (!e) return std::nullopt;
        std::int64_t n = 0;
        if (e->get(n)) return error(name, "A valid integer is required."), std::nullopt;
        if (n < min)
            return error(name,
                         fmt::format("Ensure this value is greater than or equal to {}.", min)),
                   std::nullopt;
        return n;
    }

    std::optional<bool> boolean(const char* name) {
        auto e = get(name, false);
        if (!e) return std::nullopt;
        bool b = false;
        if (e->get(b)) return error(name, "Must be a valid boolean."), std::nullopt;
        return b;
    }

    write_mode mode() const { return mode_; }
    bool failed() const { return !errors_.fields.empty(); }

  private:
    static std::size_t utf8_length(std::string_view s) {
        std::size_t n = 0;
        for (unsigned char c : s)
            n += (c & 0xC0) != 0x80;
        return n;
    }

    dom::object object_;
    write_mode mode_;
    body_error& errors_;
};

// Parses the body into an object, or fills `errors.detail` as DRF does.
std::optional<dom::object> parse_object(std::string_view body, body_error& errors) {
    thread_local dom::parser parser;
    dom::element doc;
    if (body.empty()) {
        errors.detail = "JSON parse error - Expecting value: line 1 column 1 (char 0)";
        return std::nullopt;
    }
    if (auto err = parser.parse(body.data(), body.size()).get(doc)) {
        errors.detail = std::string("JSON parse error - ") + simdjson::error_message(err);
        return std::nullopt;
    }
    dom::object object;
    if (doc.get(object)) {
        errors.detail =
            fmt::format("Invalid data. Expected a dictionary, but got {}.", python_type(doc));
        return std::nullopt;
    }
    return object;
}

// climb_data: a Climb as the live socket's climb_update checks it, or {}.
std::optional<std::string> climb_data(fields& f) {
    auto e = f.get("climb_data", false);
    if (!e) return std::nullopt;
    dom::object o;
    if (e->get(o)) return f.error("climb_data", "Expected a dictionary of items."), std::nullopt;
    if (o.size() == 0) return std::string("{}");
    thread_local message_validator validator;
    auto raw = simdjson::minify(*e);
    auto v = validator.validate("{\"type\":\"climb_update\",\"climb\":" + raw + "}");
    if (auto* err = std::get_if<validation_error>(&v)) {
        auto field = "climb_data" + err->field.substr(std::min<std::size_t>(5, err->field.size()));
        auto message = err->message.substr(
            err->message.find(": ") == std::string::npos ? 0 : err->message.find(": ") + 2);
        f.error(field, message);
        return std::nullopt;
    }
    return std::string(climb_of(std::get<validated_message>(v).payload));
}

template <class T>
body_result<T> finish(T value, body_error& errors) {
    if (!errors.fields.empty()) return errors;
    return value;
}

}  // namespace

body_result<session_fields> validate_session_body(std::string_view body, write_mode mode,
                                                  std::int64_t now_us) {
    body_error errors;
    auto object = parse_object(body, errors);
    if (!object) return errors;
    fields f(*object, mode, errors);
    session_fields out;
    out.route = f.uuid("route", false, true);
    if (auto start = f.time("start_time", false)) out.start_time = *start;
    out.end_time = f.time("end_time", true);
    out.status = f.choice("status", session_statuses);
    out.climb_data = climb_data(f);
    if (mode == write_mode::create) {
        if (!out.route) out.route.emplace();
        if (!out.start_time) out.start_time = now_us;
        if (!out.end_time) out.end_time.emplace();
        if (!out.status) out.status = "started";
        if (!out.climb_data) out.climb_data = "{}";
    }
    return finish(std::move(out), errors);
}

body_result<recording_fields> validate_recording_body(std::string_view body, write_mode mode) {
    body_error errors;
    auto object = parse_object(body, errors);
    if (!object) return errors;
    fields f(*object, mode, errors);
    recording_fields out;
    out.name = f.text("name", true, 255, false);
    out.description = f.text("description", false, 10'000, true);
    if (auto s = f.uuid("session", true, false)) out.session = *s;
    out.duration = f.number("duration", 0);
    out.frame_count = f.integer("frame_count", 0);
    out.video_file_path = f.text("video_file_path", false, 1024, true);
    out.status = f.choice("status", recording_statuses);
    if (mode == write_mode::create) {
        if (!out.description) out.description = "";
        if (!out.duration) out.duration = 0.0;
        if (!out.frame_count) out.frame_count = 0;
        if (!out.video_file_path) out.video_file_path = "";
        if (!out.status) out.status = "recording";
    }
    return finish(std::move(out), errors);
}

namespace {

// One route hold, written with exactly its four keys.
bool route_hold(fields& f, dom::element e, std::size_t i, std::string& out) {
    auto at = [&](const char* key) { return fmt::format("holds[{}].{}", i, key); };
    dom::object hold;
    if (e.get(hold))
        return f.error(fmt::format("holds[{}]", i), "Expected a dictionary of items."), false;
    bool ok = true;
    out += "{\"id\":";
    dom::element id;
    std::string_view id_text;
    std::int64_t id_number = 0;
    if (hold["id"].get(id) || (id.get(id_text) && id.get(id_number)))
        ok = false, f.error(at("id"), "A string or an integer is required.");
    else if (id.is_string())
        append_json_string(out, id_text);
    else
        out += std::to_string(id_number);
    std::string_view type;
    if (hold["type"].get(type) ||
        std::find(hold_types.begin(), hold_types.end(), type) == hold_types.end())
        ok = false, f.error(at("type"), "\"" + std::string(type) + "\" is not a valid choice.");
    out += ",\"type\":";
    append_json_string(out, type);
    for (const char* axis : {"x", "y"}) {
        double v = 0;
        if (hold[axis].get(v) || !(v >= 0 && v <= 1))
            ok = false, f.error(at(axis), "A number from 0 to 1 is required.");
        out += fmt::format(",\"{}\":{}", axis, v);
    }
    out += '}';
    return ok;
}

std::optional<std::string> route_holds(fields& f) {
    auto e = f.get("holds", false);
    if (!e) return std::nullopt;
    dom::array holds;
    if (e->get(holds))
        return f.error("holds", fmt::format("Expected a list of items but got type \"{}\".",
                                            python_type(*e))),
               std::nullopt;
    if (holds.size() > max_route_holds)
        return f.error("holds", fmt::format("Ensure this field has no more than {} elements.",
                                            max_route_holds)),
               std::nullopt;
    std::string out = "[";
    std::size_t i = 0;
    bool ok = true;
    for (auto hold : holds) {
        if (i > 0) out += ',';
        ok = route_hold(f, hold, i++, out) && ok;
    }
    out += ']';
    if (!ok) return std::nullopt;
    return out;
}

}  // namespace

body_result<route_fields> validate_route_body(std::string_view body, write_mode mode) {
    body_error errors;
    auto object = parse_object(body, errors);
    if (!object) return errors;
    fields f(*object, mode, errors);
    route_fields out;
    out.name = f.text("name", true, 255, false);
    out.grade = f.text("grade", false, 32, true);
    out.holds = route_holds(f);
    if (mode == write_mode::create) {
        if (!out.grade) out.grade = "";
        if (!out.holds) out.holds = "[]";
    }
    return finish(std::move(out), errors);
}

body_result<user_fields> validate_user_body(std::string_view body, write_mode mode) {
    body_error errors;
    auto object = parse_object(body, errors);
    if (!object) return errors;
    fields f(*object, mode, errors);
    user_fields out;
    out.username = f.text("username", true, 150, false);
    if (out.username) {
        for (unsigned char c : *out.username) {
            if (std::isalnum(c) || c == '@' || c == '.' || c == '+' || c == '-' || c == '_')
                continue;
            f.error("username",
                    "Enter a valid username. This value may contain only letters, numbers, and "
                    "@/./+/-/_ characters.");
            out.username.reset();
            break;
        }
    }
    out.is_admin = f.boolean("is_admin");
    if (mode == write_mode::create && !out.is_admin) out.is_admin = false;
    return finish(std::move(out), errors);
}

std::string to_json(const body_error& e) {
    std::string out = "{";
    if (e.fields.empty()) {
        out += "\"detail\":";
        append_json_string(out, e.detail);
        return out + "}";
    }
    std::vector<std::string> seen;
    for (auto& [field, _] : e.fields) {
        if (std::find(seen.begin(), seen.end(), field) != seen.end()) continue;
        seen.push_back(field);
        if (out.size() > 1) out += ',';
        append_json_string(out, field);
        out += ":[";
        bool first = true;
        for (auto& [other, message] : e.fields) {
            if (other != field) continue;
            if (!first) out += ',';
            first = false;
            append_json_string(out, message);
        }
        out += ']';
    }
    return out + "}";
}

}  // namespace belay::engine
