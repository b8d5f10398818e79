// belay-bench compare A.json B.json: the figures of two reports side by side,
// with B/A for each.

#include <cmath>
#include <map>

#include <fmt/format.h>
#include <simdjson.h>

#include "net.hpp"

namespace belay::bench::net {
namespace {

// Every number under "figures" (and "server"/"client"), by dotted name.
std::map<std::string, double> numbers(const std::string& path, std::string& scenario) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto ec = parser.load(path).get(doc))
        throw std::runtime_error(fmt::format("{}: {}", path, simdjson::error_message(ec)));
    std::map<std::string, double> out;
    std::string_view name;
    if (!doc["scenario"].get(name)) scenario = std::string(name);
    for (const char* section : {"figures", "client", "server"}) {
        simdjson::dom::object obj;
        if (doc[section].get(obj)) continue;
        for (auto [key, value] : obj) {
            double v = 0;
            if (!value.get(v)) out[fmt::format("{}.{}", section, key)] = v;
        }
    }
    simdjson::dom::array steps;
    if (!doc["steps"].get(steps))
        for (auto step : steps) {
            std::uint64_t n = 0;
            double p99 = 0;
            if (!step["sessions"].get(n) && !step["p99_ms"].get(p99))
                out[fmt::format("steps.p99_ms_at_{}", n)] = p99;
        }
    return out;
}

}  // namespace

int run_compare(const std::string& a, const std::string& b) {
    std::string sa, sb;
    auto na = numbers(a, sa);
    auto nb = numbers(b, sb);
    if (sa != sb) fmt::print("note: comparing scenario \"{}\" with \"{}\"\n", sa, sb);
    fmt::print("{:<36} {:>14} {:>14} {:>9}\n", "figure", "A", "B", "B/A");
    for (auto& [name, va] : na) {
        auto it = nb.find(name);
        if (it == nb.end()) {
            fmt::print("{:<36} {:>14.6g} {:>14} {:>9}\n", name, va, "-", "");
            continue;
        }
        auto vb = it->second;
        if (va != 0)
            fmt::print("{:<36} {:>14.6g} {:>14.6g} {:>9.3f}\n", name, va, vb, vb / va);
        else
            fmt::print("{:<36} {:>14.6g} {:>14.6g} {:>9}\n", name, va, vb, "-");
    }
    for (auto& [name, vb] : nb)
        if (!na.count(name)) fmt::print("{:<36} {:>14} {:>14.6g} {:>9}\n", name, "-", vb, "");
    return 0;
}

}  // namespace belay::bench::net
