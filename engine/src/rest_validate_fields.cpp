// DRF's scalar fields, one reader each (rest_fields.hpp). The messages are
// DRF's own, word for word, so that clients written against the Django
// service keep working. Only the error-code API of simdjson is used.

#include "rest_fields.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "belay/engine/validate.hpp"

namespace belay::engine::rest {
namespace {

constexpr std::array<std::string_view, 14> true_texts{
    "t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"};
constexpr std::array<std::string_view, 14> false_texts{
    "f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_hex_digit(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::string_view trim(std::string_view text) {
    constexpr std::string_view space = " \t\n\r\f\v";
    const std::size_t first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// Python's len() of a str: code points. The text is valid UTF-8 (simdjson
// checked it), so counting the bytes that start a character is enough.
std::size_t char_count(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

// Python's int() and float() take a '+' sign; std::from_chars does not.
std::string_view drop_plus(std::string_view text) {
    if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+')
        text.remove_prefix(1);
    return text;
}

// DRF's IntegerField parses int(re.sub(r"\.0*\s*$", "", str(data))).
std::optional<std::int64_t> integer_of_text(std::string_view text) {
    text = trim(text);
    const std::size_t dot = text.find('.');
    if (dot != std::string_view::npos) {
        if (text.find_first_not_of('0', dot + 1) != std::string_view::npos) return std::nullopt;
        text = trim(text.substr(0, dot));
    }
    text = drop_plus(text);
    std::int64_t number = 0;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, number);
    if (text.empty() || ec != std::errc{} || stop != end) return std::nullopt;
    return number;
}

std::optional<double> number_of_text(std::string_view text) {
    text = drop_plus(trim(text));
    double number = 0;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, number);
    if (text.empty() || ec != std::errc{} || stop != end) return std::nullopt;
    return number;
}

// Python's uuid.UUID(hex=text): drops "urn:" and "uuid:", surrounding braces
// and every hyphen, then wants 32 hex digits.
std::optional<entity_id> uuid_of_text(std::string_view text) {
    if (text.starts_with("urn:")) text.remove_prefix(4);
    if (text.starts_with("uuid:")) text.remove_prefix(5);
    while (!text.empty() && (text.front() == '{' || text.front() == '}'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == '{' || text.back() == '}'))
        text.remove_suffix(1);
    std::string hex;
    for (const char c : text) {
        if (c == '-') continue;
        if (!is_hex_digit(c) || hex.size() == 32) return std::nullopt;
        hex += c;
    }
    if (hex.size() != 32) return std::nullopt;
    for (const std::size_t at : {8, 13, 18, 23})
        hex.insert(at, 1, '-');
    return entity_id::parse(hex);
}

// Django's parse_datetime also takes "hh:mm" without seconds, no offset
// (naive: UTC here) and offsets "+HH" or "+HHMM"; rewritten as RFC 3339.
std::string rfc3339_of(std::string_view text) {
    std::string out(text);
    constexpr std::size_t minutes_end = 16;  // YYYY-MM-DDThh:mm
    if (out.size() < minutes_end) return out;
    if (out.size() == minutes_end || out[minutes_end] != ':') out.insert(minutes_end, ":00");
    std::size_t pos = minutes_end + 3;
    if (pos < out.size() && out[pos] == '.') {
        ++pos;
        while (pos < out.size() && is_digit(out[pos]))
            ++pos;
    }
    const std::string_view offset = std::string_view(out).substr(std::min(pos, out.size()));
    const bool signed_offset = !offset.empty() && (offset[0] == '+' || offset[0] == '-');
    if (offset.empty()) {
        out += 'Z';
    } else if (signed_offset && offset.size() == 3) {
        out += ":00";
    } else if (signed_offset && offset.size() == 5 && offset[3] != ':') {
        out.insert(pos + 3, 1, ':');
    }
    return out;
}

std::optional<bool> boolean_of(dom::element value) {
    bool flag = false;
    if (value.get(flag) == simdjson::SUCCESS) return flag;
    double number = 0;
    if (value.is_number() && value.get(number) == simdjson::SUCCESS) {
        if (number == 1) return true;
        if (number == 0) return false;
        return std::nullopt;
    }
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) return std::nullopt;
    if (std::find(true_texts.begin(), true_texts.end(), text) != true_texts.end()) return true;
    if (std::find(false_texts.begin(), false_texts.end(), text) != false_texts.end()) return false;
    return std::nullopt;
}

// The int DRF makes of a JSON number: str(12.0) is "12.0", which it reads as
// 12; from 1e16 on, str() writes an exponent and int() refuses it.
std::optional<std::int64_t> integer_of(dom::element value) {
    std::int64_t number = 0;
    if (value.get(number) == simdjson::SUCCESS) return number;
    double real = 0;
    if (value.type() == dom::element_type::DOUBLE && value.get(real) == simdjson::SUCCESS) {
        if (std::trunc(real) != real || std::fabs(real) >= 1e16) return std::nullopt;
        return static_cast<std::int64_t>(real);
    }
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) return std::nullopt;
    return integer_of_text(text);
}

}  // namespace

std::string_view python_type(dom::element value) {
    switch (value.type()) {
        case dom::element_type::ARRAY:
            return "list";
        case dom::element_type::OBJECT:
            return "dict";
        case dom::element_type::INT64:
        case dom::element_type::UINT64:
            return "int";
        case dom::element_type::DOUBLE:
            return "float";
        case dom::element_type::STRING:
            return "str";
        case dom::element_type::BOOL:
            return "bool";
        case dom::element_type::NULL_VALUE:
            return "NoneType";
    }
    return "object";
}

std::optional<dom::element> find_member(dom::object object, std::string_view key) {
    std::optional<dom::element> found;
    for (const dom::key_value_pair member : object) {
        if (member.key == key) found = member.value;
    }
    return found;
}

std::optional<std::string> read_text(dom::element value, const std::string& field, text_rules rules,
                                     error_list& errors) {
    std::string_view text;
    if (value.get(text) != simdjson::SUCCESS) {
        errors.emplace_back(field, "Not a valid string.");
        return std::nullopt;
    }
    text = trim(text);
    if (text.empty() && !rules.allow_blank) {
        errors.emplace_back(field, "This field may not be blank.");
        return std::nullopt;
    }
    if (rules.max_chars != 0 && char_count(text) > rules.max_chars) {
        errors.emplace_back(field, fmt::format("Ensure this field has no more than {} characters.",
                                               rules.max_chars));
        return std::nullopt;
    }
    return std::string(text);
}

std::optional<std::string> read_username(dom::element value, const std::string& field,
                                         error_list& errors) {
    constexpr std::size_t max_chars = 150;
    auto name = read_text(value, field, {.allow_blank = false}, errors);
    if (!name) return std::nullopt;
    const std::size_t before = errors.size();
    const bool allowed = std::all_of(name->begin(), name->end(), [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               std::string_view("@.+-_").find(c) != std::string_view::npos;
    });
    if (!allowed) {
        errors.emplace_back(field,
                            "Enter a valid username. This value may contain only letters, "
                            "numbers, and @/./+/-/_ characters.");
    }
    if (char_count(*name) > max_chars) {
        errors.emplace_back(
            field, fmt::format("Ensure this field has no more than {} characters.", max_chars));
    }
    if (errors.size() != before) return std::nullopt;
    return name;
}

std::optional<std::string> read_choice(dom::element value, const std::string& field,
                                       std::span<const std::string_view> choices,
                                       error_list& errors) {
    std::string_view text;
    if (value.get(text) == simdjson::SUCCESS &&
        std::find(choices.begin(), choices.end(), text) != choices.end()) {
        return std::string(text);
    }
    // DRF looks up str(data): a non-string is shown as its JSON text.
    const std::string shown = value.is_string() ? std::string(text) : simdjson::minify(value);
    errors.emplace_back(field, fmt::format("\"{}\" is not a valid choice.", shown));
    return std::nullopt;
}

std::optional<entity_id> read_uuid(dom::element value, const std::string& field,
                                   error_list& errors) {
    std::string_view text;
    std::optional<entity_id> id;
    if (value.get(text) == simdjson::SUCCESS) id = uuid_of_text(text);
    if (!id) errors.emplace_back(field, "Must be a valid UUID.");
    return id;
}

std::optional<std::int64_t> read_datetime(dom::element value, const std::string& field,
                                          error_list& errors) {
    std::string_view text;
    std::int64_t us = 0;
    if (value.get(text) == simdjson::SUCCESS && parse_rfc3339(rfc3339_of(text), us)) return us;
    errors.emplace_back(field,
                        "Datetime has wrong format. Use one of these formats instead: "
                        "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
    return std::nullopt;
}

std::optional<std::int64_t> read_integer(dom::element value, const std::string& field,
                                         std::int64_t min, error_list& errors) {
    if (value.type() == dom::element_type::UINT64) {
        errors.emplace_back(field, fmt::format("Ensure this value is less than or equal to {}.",
                                               std::numeric_limits<std::int64_t>::max()));
        return std::nullopt;
    }
    const auto number = integer_of(value);
    if (!number) {
        errors.emplace_back(field, "A valid integer is required.");
    } else if (*number < min) {
        errors.emplace_back(field,
                            fmt::format("Ensure this value is greater than or equal to {}.", min));
    } else {
        return number;
    }
    return std::nullopt;
}

std::optional<double> read_number(dom::element value, const std::string& field, double min,
                                  std::optional<double> max, error_list& errors) {
    std::optional<double> number;
    double real = 0;
    std::string_view text;
    if (value.is_number() && value.get(real) == simdjson::SUCCESS) {
        number = real;
    } else if (value.get(text) == simdjson::SUCCESS) {
        number = number_of_text(text);
    }
    if (!number || !std::isfinite(*number)) {
        errors.emplace_back(field, "A valid number is required.");
    } else if (*number < min) {
        errors.emplace_back(field,
                            fmt::format("Ensure this value is greater than or equal to {}.", min));
    } else if (max && *number > *max) {
        errors.emplace_back(field,
                            fmt::format("Ensure this value is less than or equal to {}.", *max));
    } else {
        return number;
    }
    return std::nullopt;
}

std::optional<bool> read_boolean(dom::element value, const std::string& field, error_list& errors) {
    const auto flag = boolean_of(value);
    if (!flag) errors.emplace_back(field, "Must be a valid boolean.");
    return flag;
}

std::optional<dom::element> body_reader::value(std::string_view key, bool required) {
    const auto found = find_member(body_, key);
    if (!found) {
        if (required && mode_ != write_mode::partial)
            errors_.emplace_back(std::string(key), required_message);
        return std::nullopt;
    }
    if (found->is_null()) {
        errors_.emplace_back(std::string(key), not_null_message);
        return std::nullopt;
    }
    return found;
}

nullable<dom::element> body_reader::nullable_value(std::string_view key) {
    const auto found = find_member(body_, key);
    if (!found) return std::nullopt;
    if (found->is_null()) return std::optional<dom::element>{};
    return found;
}

}  // namespace belay::engine::rest
