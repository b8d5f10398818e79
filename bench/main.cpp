// belay-bench: the benchmark harness. Scenarios print a table and write a
// JSON report (--report FILE) to compare run to run.

#include <algorithm>
#include <charconv>
#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "append_scenario.hpp"
#include "net/net.hpp"
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

network scenarios, against a server that speaks PROTOCOL.md:
  ingest   P publishers over S sessions send pose frames with client ids, as fast
           as a window of unacknowledged ones allows, or at a set rate
           --publishers 64 --sessions 64 --window 16 --rate 0 (0: by window)
           --landmarks 33
  fanout   one publisher at a rate on one session, N subscribers: deliveries/s,
           publish-to-deliver latency, loss
           --subscribers 1000 --rate 500 --landmarks 1
  gym      N sessions, each a rig at --pose-hz with a climb update a second, and
           K viewers each; pass: p99 delivery latency <= --max-p99-ms, no loss
           --sessions 100[,200…] --find (search the largest passing N, from the
           first size) --viewers 1 --pose-hz 30 --landmarks 33 --max-p99-ms 50
  replay   R clients replay one session at speed 0: events/s, server memory
           --clients 1 --events 100000 (recorded first) | --session-id ID
           --landmarks 1
  compare  A.json B.json: the figures of two reports and their ratios

  every network scenario:
           --belayd PATH           start this belayd for the run (temporary data
                                   directory, its limits off) and report its CPU
                                   and memory; or
           --url http://HOST:PORT --token T   a running server (an admin's token
                                   lets the bench create users for its sockets)
           --server-pid PID        a local --url server's /proc figures
           --durability sync       for a started belayd (sync|buffered)
           --protocol belay        old: the old service's subset (no seq, no
                                   ids, no acks; deliveries matched by content)
           --client-threads 1      threads running the client's sockets
           --seconds 5             publishing time (per gym step)
           --report FILE           write the JSON report
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

using belay::bench::net::common_params;

// Reads the options every network scenario takes; returns false for others.
bool common_option(common_params& c, const std::string& name, const std::string& value) {
    if (name == "--url")
        c.url = value;
    else if (name == "--token")
        c.token = value;
    else if (name == "--belayd")
        c.belayd = value;
    else if (name == "--durability") {
        if (value != "sync" && value != "buffered")
            throw std::invalid_argument("--durability takes sync or buffered");
        c.durability = value;
    } else if (name == "--server-pid")
        c.server_pid = static_cast<int>(number(name, value));
    else if (name == "--protocol") {
        if (value != "belay" && value != "old")
            throw std::invalid_argument("--protocol takes belay or old");
        c.old_protocol = value == "old";
    } else if (name == "--client-threads")
        c.client_threads = std::max(1u, static_cast<unsigned>(number(name, value)));
    else if (name == "--seconds")
        c.seconds = number(name, value);
    else if (name == "--report")
        c.report_path = value;
    else
        return false;
    return true;
}

// name value pairs (and the flags in `flags`, which take none) to `each`.
template <class Each>
void options(const std::vector<std::string>& args, std::initializer_list<std::string_view> flags,
             Each each) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& name = args[i];
        if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
            each(name, std::string{});
            continue;
        }
        if (i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
        each(name, args[++i]);
    }
}

[[noreturn]] void unknown(const std::string& name) {
    throw std::invalid_argument("unknown option " + name);
}

unsigned count(const std::string& name, const std::string& value) {
    return static_cast<unsigned>(number(name, value));
}

int network(const std::string& scenario, const std::vector<std::string>& args) {
    namespace net = belay::bench::net;
    if (scenario == "ingest") {
        net::ingest_params p;
        options(args, {}, [&](const std::string& n, const std::string& v) {
            if (common_option(p.common, n, v)) return;
            if (n == "--publishers")
                p.publishers = std::max(1u, count(n, v));
            else if (n == "--sessions")
                p.sessions = std::max(1u, count(n, v));
            else if (n == "--window")
                p.window = std::max(1u, count(n, v));
            else if (n == "--rate")
                p.rate = number(n, v);
            else if (n == "--landmarks")
                p.landmarks = count(n, v);
            else
                unknown(n);
        });
        return net::run_ingest(p);
    }
    if (scenario == "fanout") {
        net::fanout_params p;
        options(args, {}, [&](const std::string& n, const std::string& v) {
            if (common_option(p.common, n, v)) return;
            if (n == "--subscribers")
                p.subscribers = std::max(1u, count(n, v));
            else if (n == "--rate")
                p.rate = std::max(0.1, number(n, v));
            else if (n == "--landmarks")
                p.landmarks = count(n, v);
            else
                unknown(n);
        });
        return net::run_fanout(p);
    }
    if (scenario == "gym") {
        net::gym_params p;
        options(args, {"--find"}, [&](const std::string& n, const std::string& v) {
            if (common_option(p.common, n, v)) return;
            if (n == "--find")
                p.find = true;
            else if (n == "--sessions") {
                p.sessions.clear();
                for (auto& x : split(v))
                    p.sessions.push_back(std::max(1u, count(n, x)));
            } else if (n == "--viewers")
                p.viewers = count(n, v);
            else if (n == "--pose-hz")
                p.pose_hz = std::max(0.1, number(n, v));
            else if (n == "--landmarks")
                p.landmarks = count(n, v);
            else if (n == "--max-p99-ms")
                p.max_p99_ms = number(n, v);
            else
                unknown(n);
        });
        return net::run_gym(p);
    }
    if (scenario == "replay") {
        net::replay_params p;
        options(args, {}, [&](const std::string& n, const std::string& v) {
            if (common_option(p.common, n, v)) return;
            if (n == "--clients")
                p.clients = std::max(1u, count(n, v));
            else if (n == "--events")
                p.events = static_cast<std::uint64_t>(number(n, v));
            else if (n == "--session-id")
                p.session = v;
            else if (n == "--landmarks")
                p.landmarks = count(n, v);
            else
                unknown(n);
        });
        return net::run_replay(p);
    }
    if (scenario == "compare") {
        if (args.size() != 2) throw std::invalid_argument("compare takes two report files");
        return net::run_compare(args[0], args[1]);
    }
    return -1;
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
        if (int code = network(scenario, args); code >= 0) return code;
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
