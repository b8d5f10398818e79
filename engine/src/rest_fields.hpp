#pragma once
// The field readers behind rest_validate.cpp: each reads one JSON value the
// way the Django REST Framework field of that kind does (including the
// coercions DRF allows, such as "12" for an integer), and records DRF's
// message under the field's name when it refuses it.
//
// Views: the dom values are views into the document of the thread's body
// parser; nothing here may keep them past the validation of that body.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "belay/engine/payloads.hpp"
#include "belay/engine/rest_validate.hpp"

namespace belay::engine::rest {

namespace dom = simdjson::dom;

// (field, message) pairs, in the order found: body_error::fields.
using error_list = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view required_message = "This field is required.";
inline constexpr std::string_view not_null_message = "This field may not be null.";

// The name of the Python type DRF would see for `value`: dict, list, str,
// int, float, bool or NoneType.
std::string_view python_type(dom::element value);

// The member `key` of `object`. When a key repeats, the last copy wins, as
// with Python's json module.
std::optional<dom::element> find_member(dom::object object, std::string_view key);

// ---- values ----------------------------------------------------------------
// Each returns the value read, or records why not under `field` and returns
// nullopt. None of them accepts null: callers deal with absent and null.

struct text_rules {
    bool allow_blank = true;
    std::size_t max_chars = 0;  // in characters (code points); 0: no limit
};

// A string, trimmed of surrounding whitespace as DRF's CharField does.
std::optional<std::string> read_text(dom::element value, const std::string& field, text_rules rules,
                                     error_list& errors);

// A Django user name: 1..150 letters, digits and @.+-_ (ASCII).
std::optional<std::string> read_username(dom::element value, const std::string& field,
                                         error_list& errors);

std::optional<std::string> read_choice(dom::element value, const std::string& field,
                                       std::span<const std::string_view> choices,
                                       error_list& errors);

// A UUID string in any form Python's uuid.UUID(hex=…) reads: canonical,
// without hyphens, in braces, with a urn:uuid: prefix.
std::optional<entity_id> read_uuid(dom::element value, const std::string& field,
                                   error_list& errors);

// A date-time as Django's parse_datetime reads it: RFC 3339, also without
// seconds, or without an offset (then UTC); µs since the epoch.
std::optional<std::int64_t> read_datetime(dom::element value, const std::string& field,
                                          error_list& errors);

// An integer >= `min`: a JSON integer, a whole float, or a string of one.
std::optional<std::int64_t> read_integer(dom::element value, const std::string& field,
                                         std::int64_t min, error_list& errors);

// A finite number in [min, max]: a JSON number or a string of one.
std::optional<double> read_number(dom::element value, const std::string& field, double min,
                                  std::optional<double> max, error_list& errors);

// true/false, 1/0 or one of DRF's strings ("true", "yes", "on", "1", …).
std::optional<bool> read_boolean(dom::element value, const std::string& field, error_list& errors);

// ---- members of a body ---------------------------------------------------

// The top-level members of one body, read in the body's write mode.
class body_reader {
  public:
    body_reader(dom::object body, write_mode mode, error_list& errors)
        : body_(body), mode_(mode), errors_(errors) {}

    // The value of `key` when present and not null. An absent key is an error
    // when `required` (except in partial mode); a null one always is.
    std::optional<dom::element> value(std::string_view key, bool required = false);

    // For a nullable field: nullopt when absent, an empty inner optional when
    // null, else the value.
    nullable<dom::element> nullable_value(std::string_view key);

    bool creating() const { return mode_ == write_mode::create; }
    error_list& errors() { return errors_; }

  private:
    dom::object body_;
    write_mode mode_;
    error_list& errors_;
};

}  // namespace belay::engine::rest
