// belay-bench: the benchmark harness. Scenarios print a table and write a
// JSON report (--report FILE) to compare run to run.

#include <charconv>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "append_scenario.hpp"
#include "rebuild_scenario.hpp"

namespace {

constexpr const char* usage = R"(usage: belay-bench <scenario> [options]

scenarios:
  append   in-process appends to the event log, then a full read
           --appenders 1,8,64      concurrent appending threads (one session each)
           --durability sync,buffered
           --mode threads,async    threads: a blocking thread per appender;
                                   async: one append in flight per appender,
                                   driven by callbacks (how belayd uses the log)
           --io-threads 1          threads running the async appenders
           --window 1              async: appends each appender keeps in flight
           --seconds 3             appending time per configuration
           --payload-bytes 300
           --data-dir DIR          keep the logs here (default: temporary, removed)
           --report FILE           write the JSON report
  rebuild  fold a log of N events into the projections (median of rounds), restore
           from a checkpoint, and optionally time belayd's start to /healthz
           --events 1000000 --sessions 1000 --rounds 3
           --data-dir DIR          reuse or keep the log here (default: temporary)
           --belayd PATH           also time this belayd's start on the log
           --report FILE
)";

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t comma; (comma = s.find(',', start)) != std::string::npos; start = comma + 1)
        out.push_back(s.substr(start, comma - start));
    out.push_back(s.substr(start));
    return out;
}

double number(const std::string& name, const std::string& text) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v < 0)
        throw std::invalid_argument(name + " takes a non-negative number, not \"" + text + "\"");
    return v;
}

belay::bench::append_params parse_append(const std::vector<std::string>& args) {
    belay::bench::append_params p;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& name = args[i];
        if (i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
        const auto& value = args[++i];
        if (name == "--appenders") {
            p.appenders.clear();
            for (auto& a : split(value))
                p.appenders.push_back(static_cast<unsigned>(number(name, a)));
        } else if (name == "--durability") {
            p.durabilities = split(value);
            for (auto& d : p.durabilities)
                if (d != "sync" && d != "buffered")
                    throw std::invalid_argument("--durability takes sync and/or buffered");
        } else if (name == "--mode") {
            p.modes = split(value);
            for (auto& m : p.modes)
                if (m != "threads" && m != "async")
                    throw std::invalid_argument("--mode takes threads and/or async");
        } else if (name == "--window") {
            p.windows.clear();
            for (auto& w : split(value))
                p.windows.push_back(static_cast<unsigned>(number(name, w)));
        } else if (name == "--io-threads") {
            p.io_threads = static_cast<unsigned>(number(name, value));
        } else if (name == "--seconds") {
            p.seconds = number(name, value);
        } else if (name == "--payload-bytes") {
            p.payload_bytes = static_cast<std::size_t>(number(name, value));
        } else if (name == "--data-dir") {
            p.data_dir = value;
        } else if (name == "--report") {
            p.report_path = value;
        } else {
            throw std::invalid_argument("unknown option " + name);
        }
    }
    return p;
}

belay::bench::rebuild_params parse_rebuild(const std::vector<std::string>& args) {
    belay::bench::rebuild_params p;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& name = args[i];
        if (i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
        const auto& value = args[++i];
        if (name == "--events") {
            p.events = static_cast<std::uint64_t>(number(name, value));
        } else if (name == "--sessions") {
            p.sessions =
                std::max<std::uint64_t>(1, static_cast<std::uint64_t>(number(name, value)));
        } else if (name == "--rounds") {
            p.rounds = static_cast<unsigned>(number(name, value));
        } else if (name == "--data-dir") {
            p.data_dir = value;
        } else if (name == "--belayd") {
            p.belayd = value;
        } else if (name == "--report") {
            p.report_path = value;
        } else {
            throw std::invalid_argument("unknown option " + name);
        }
    }
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        fmt::print(args.empty() ? stderr : stdout, "{}", usage);
        return args.empty() ? 2 : 0;
    }
    auto scenario = args[0];
    args.erase(args.begin());
    try {
        if (scenario == "append") return belay::bench::run_append(parse_append(args));
        if (scenario == "rebuild") return belay::bench::run_rebuild(parse_rebuild(args));
        fmt::print(stderr, "belay-bench: unknown scenario \"{}\"\n\n{}", scenario, usage);
        return 2;
    } catch (const std::invalid_argument& e) {
        fmt::print(stderr, "belay-bench: {}\n\n{}", e.what(), usage);
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "belay-bench: {}\n", e.what());
        return 1;
    }
}
