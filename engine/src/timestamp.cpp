// RFC 3339 date-time parsing (section 5.6): full-date "T" full-time, where the
// separator may also be "t" or a space and the offset is Z, z or ±HH:MM.
// No locale, no timegm: the calendar arithmetic is done here, in UTC.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "belay/engine/validate.hpp"

namespace belay::engine {
namespace {

constexpr std::int64_t us_per_second = 1'000'000;
constexpr std::int64_t seconds_per_day = 86'400;

struct date_time {
    int year = 0;
    int month = 0;
    int day = 0;
    int hour = 0;
    int minute = 0;
    int second = 0;
    std::int64_t micros = 0;  // fraction of the second, truncated to µs
    int offset_minutes = 0;   // local time minus UTC
};

// Reads exactly `count` decimal digits at `pos` and advances past them.
bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
    if (text.size() - pos < count) return false;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    pos += count;
    out = value;
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

bool is_leap_year(int year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

int days_in_month(int year, int month) {
    constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && is_leap_year(year)) return 29;
    return days[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date. Counting years from
// March puts the leap day last, so a year's day number needs no leap test;
// 400-year eras of 146097 days make the rest a sum.
std::int64_t days_from_civil(int year, int month, int day) {
    const int y = month <= 2 ? year - 1 : year;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int year_of_era = y - era * 400;                           // [0, 399]
    const int month_from_march = month > 2 ? month - 3 : month + 9;  // [0, 11]
    const int day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    constexpr std::int64_t days_to_1970_from_0000_03_01 = 719'468;
    return std::int64_t{era} * 146'097 + day_of_era - days_to_1970_from_0000_03_01;
}

// YYYY-MM-DD
bool parse_date(std::string_view text, std::size_t& pos, date_time& out) {
    return read_digits(text, pos, 4, out.year) && expect(text, pos, '-') &&
           read_digits(text, pos, 2, out.month) && expect(text, pos, '-') &&
           read_digits(text, pos, 2, out.day);
}

// "." followed by one or more digits; digits beyond µs are read and dropped.
bool parse_fraction(std::string_view text, std::size_t& pos, std::int64_t& micros) {
    if (pos >= text.size() || text[pos] != '.') return true;
    ++pos;
    const std::size_t first = pos;
    std::int64_t value = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
        if (pos - first < 6) value = value * 10 + (text[pos] - '0');
    }
    const std::size_t digits = pos - first;
    if (digits == 0) return false;
    for (std::size_t i = digits; i < 6; ++i)
        value *= 10;
    micros = value;
    return true;
}

// HH:MM:SS[.fraction]
bool parse_time(std::string_view text, std::size_t& pos, date_time& out) {
    return read_digits(text, pos, 2, out.hour) && expect(text, pos, ':') &&
           read_digits(text, pos, 2, out.minute) && expect(text, pos, ':') &&
           read_digits(text, pos, 2, out.second) && parse_fraction(text, pos, out.micros);
}

// Z, z, +HH:MM or -HH:MM, which must end the text.
bool parse_offset(std::string_view text, std::size_t& pos, date_time& out) {
    if (pos >= text.size()) return false;
    const char sign = text[pos++];
    if (sign == 'Z' || sign == 'z') return pos == text.size();
    if (sign != '+' && sign != '-') return false;
    int hours = 0;
    int minutes = 0;
    if (!read_digits(text, pos, 2, hours) || !expect(text, pos, ':') ||
        !read_digits(text, pos, 2, minutes) || pos != text.size()) {
        return false;
    }
    if (hours > 23 || minutes > 59) return false;
    out.offset_minutes = (hours * 60 + minutes) * (sign == '-' ? -1 : 1);
    return true;
}

bool is_valid(const date_time& t) {
    if (t.month < 1 || t.month > 12) return false;
    if (t.day < 1 || t.day > days_in_month(t.year, t.month)) return false;
    return t.hour < 24 && t.minute < 60 && t.second <= 60;
}

}  // namespace

bool parse_rfc3339(std::string_view text, std::int64_t& us_out) {
    date_time t;
    std::size_t pos = 0;
    if (!parse_date(text, pos, t)) return false;
    if (pos >= text.size()) return false;
    const char separator = text[pos++];
    if (separator != 'T' && separator != 't' && separator != ' ') return false;
    if (!parse_time(text, pos, t) || !parse_offset(text, pos, t) || !is_valid(t)) return false;

    // A leap second cannot be represented in Unix time: it becomes the second before it.
    const int second = t.second == 60 ? 59 : t.second;
    const std::int64_t seconds = days_from_civil(t.year, t.month, t.day) * seconds_per_day +
                                 t.hour * 3'600 + t.minute * 60 + second -
                                 std::int64_t{t.offset_minutes} * 60;
    // Keep the result within years 0000..9999 in UTC, so it can always be
    // written back as an RFC 3339 timestamp.
    constexpr std::int64_t first_second = -62'167'219'200;  // 0000-01-01T00:00:00Z
    constexpr std::int64_t end_second = 253'402'300'800;    // 10000-01-01T00:00:00Z
    if (seconds < first_second || seconds >= end_second) return false;
    us_out = seconds * us_per_second + t.micros;
    return true;
}

}  // namespace belay::engine
