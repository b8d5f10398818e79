#include "belay/engine/event.hpp"

#include <array>
#include <chrono>

#include <fmt/format.h>

namespace belay::engine {
namespace {

constexpr std::array<std::string_view, 15> type_names = {
    "",
    "session_created",
    "session_updated",
    "climb_updated",
    "pose_updated",
    "session_deleted",
    "recording_created",
    "recording_updated",
    "recording_deleted",
    "route_created",
    "route_updated",
    "route_deleted",
    "user_created",
    "user_updated",
    "user_deleted",
};

// Howard Hinnant's civil-from-days: days since 1970-01-01 → y/m/d.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

}  // namespace

std::string_view to_string(event_type type) {
    auto i = static_cast<std::size_t>(type);
    return i < type_names.size() && i > 0 ? type_names[i] : std::string_view{"unknown"};
}

std::optional<event_type> parse_event_type(std::string_view name) {
    for (std::size_t i = 1; i < type_names.size(); ++i)
        if (type_names[i] == name) return static_cast<event_type>(i);
    return std::nullopt;
}

bool is_known(std::uint8_t raw_type) {
    return raw_type >= 1 && raw_type < type_names.size();
}

std::string format_time_us(std::int64_t us) {
    std::string out;
    append_time_us(out, us);
    return out;
}

void append_time_us(std::string& out, std::int64_t us) {
    // Floor division that cannot overflow, down to INT64_MIN (found by fuzzing).
    std::int64_t secs = us / 1'000'000 - (us % 1'000'000 < 0 ? 1 : 0);
    auto sub_us = us % 1'000'000 < 0 ? us % 1'000'000 + 1'000'000 : us % 1'000'000;
    std::int64_t days = secs / 86400 - (secs % 86400 < 0 ? 1 : 0);
    auto sod = secs - days * 86400;
    std::int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    if (y < 0 || y > 9999) {  // outside RFC 3339's four digits: rare, keep it simple
        out += fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, sod / 3600,
                           (sod % 3600) / 60, sod % 60, sub_us / 1000);
        return;
    }
    // "YYYY-MM-DDTHH:MM:SS.mmmZ", digit by digit.
    char text[24];
    auto put = [&](int at, std::int64_t value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10)
            text[at + i] = static_cast<char>('0' + value % 10);
    };
    put(0, y, 4);
    text[4] = '-';
    put(5, m, 2);
    text[7] = '-';
    put(8, d, 2);
    text[10] = 'T';
    put(11, sod / 3600, 2);
    text[13] = ':';
    put(14, (sod % 3600) / 60, 2);
    text[16] = ':';
    put(17, sod % 60, 2);
    text[19] = '.';
    put(20, sub_us / 1000, 3);
    text[23] = 'Z';
    out.append(text, sizeof text);
}

std::int64_t now_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace belay::engine
