#include "sample_events.hpp"

#include <fmt/format.h>

namespace belay::bench {

// A climb or pose payload of about `bytes` bytes, shaped like the real ones.
std::string sample_payload(bool climb, std::size_t bytes, std::uint64_t i) {
    std::string out;
    if (climb) {
        out = R"({"climb":{"holds":[)";
        for (int h = 0; out.size() + 140 < bytes; ++h)
            out += fmt::format(
                R"({}{{"id":"{}","type":"normal","status":"completed","time":"2025-10-19T17:44:3{}.187Z"}})",
                h ? "," : "", 100 + h, i % 10);
        out += R"(],"startTime":"2025-10-19T17:44:37.187Z","endTime":null,"status":"started"}})";
    } else {
        out = R"({"pose":[)";
        for (int l = 0; out.size() + 60 < bytes; ++l)
            out += fmt::format(R"({}{{"x":0.{:04},"y":0.{:04},"z":-0.{:03},"visibility":0.99}})",
                               l ? "," : "", (i * 7 + l) % 10000, (i * 13 + l) % 10000, l % 1000);
        out += "]}";
    }
    return out;
}

}  // namespace belay::bench
