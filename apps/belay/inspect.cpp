#include "inspect.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "args.hpp"
#include "belay/engine/event_log.hpp"
#include "belay/engine/json_text.hpp"
#include "belay/engine/jsonl.hpp"
#include "belay/engine/verify.hpp"

namespace belay::cli {
namespace {

using namespace belay::engine;

constexpr const char* inspect_usage = R"(usage: belay inspect <what> --data-dir DIR [options]

  streams [--json]                  every stream: id, events, first and last time
  events SESSION_ID [--from-seq N] [--limit N] [--json]
                                    one stream's events (JSON Lines with --json)
  stats [--json]                    counts per type, bytes, positions, storage
  verify                            check the whole log; exits 1 naming each fault
  export [--output FILE]            the whole log as JSON Lines, in log order
  import [--input FILE]             load JSON Lines into a log (not while belayd runs on it)

All but import work offline or while belayd runs on DIR.
)";

std::runtime_error failure(const std::string& what, boost::system::error_code ec) {
    return std::runtime_error(fmt::format("{}: {}", what, ec.message()));
}

std::unique_ptr<event_log> open_reader(const std::string& dir) {
    auto log = event_log::open_read_only(dir);
    if (!log && log.error() == errc::not_found)
        throw std::runtime_error(fmt::format("no event log in {}", dir));
    if (!log) throw failure("cannot open the log in " + dir, log.error());
    return std::move(*log);
}

// Calls `f` for every event the cursor yields.
template <class F>
void each(log_cursor cursor, F&& f) {
    event e;
    for (;;) {
        auto r = cursor.next(e);
        if (!r) throw failure("reading the log", r.error());
        if (!*r || !f(e)) return;
    }
}

void print_stream(bool json, const session_id& id, std::uint64_t n, std::int64_t first,
                  std::int64_t last) {
    if (json)
        fmt::print("{{\"stream\":\"{}\",\"events\":{},\"first\":\"{}\",\"last\":\"{}\"}}\n",
                   id.to_string(), n, format_time_us(first), format_time_us(last));
    else
        fmt::print("{}  {:>9}  {}  {}\n", id.to_string(), n, format_time_us(first),
                   format_time_us(last));
}

// Reads the log in log order (the fastest full read) and prints the streams
// sorted by id.
int streams(event_log& log, const args& a) {
    bool json = a.has("json");
    if (!json) fmt::print("{:<36}  {:>9}  {:<24}  {:<24}\n", "stream", "events", "first", "last");
    struct seen {
        std::uint64_t count = 0;
        std::int64_t first = 0, last = 0;
    };
    std::unordered_map<session_id, seen> found;
    each(log.read_log(), [&](const event& e) {
        auto& s = found[e.stream];
        if (s.count++ == 0) s.first = e.recv_time_us;
        s.last = e.recv_time_us;
        return true;
    });
    std::vector<std::pair<session_id, const seen*>> sorted;
    sorted.reserve(found.size());
    for (auto& [id, s] : found)
        sorted.emplace_back(id, &s);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto& [id, s] : sorted)
        print_stream(json, id, s->count, s->first, s->last);
    return 0;
}

int events(event_log& log, const args& a) {
    if (a.positional().size() != 2) throw usage_error("events needs a SESSION_ID");
    auto id = session_id::parse(a.positional()[1]);
    if (!id) throw usage_error("\"" + a.positional()[1] + "\" is not a session id (a UUID)");
    auto from = a.number("from-seq", 1);
    auto limit = a.number("limit", UINT64_MAX);
    bool json = a.has("json");
    std::uint64_t shown = 0;
    std::string line;
    each(log.read_stream(*id, seq{from}), [&](const event& e) {
        if (shown >= limit) return false;
        ++shown;
        line.clear();
        if (json) {
            append_json_line(line, e);
        } else {
            auto payload = e.payload.size() > 100 ? e.payload.substr(0, 97) + "..." : e.payload;
            line =
                fmt::format("{:>6}  {:>8}  {}  {:<16} {:<12} {}", e.seq.value, e.position.value,
                            format_time_us(e.recv_time_us), to_string(e.type), e.author, payload);
        }
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stdout);
        return true;
    });
    return 0;
}

int stats(event_log& log, const args& a) {
    struct per_type {
        std::uint64_t events = 0, payload_bytes = 0;
    };
    std::map<std::string_view, per_type> types;
    std::uint64_t total = 0, payload = 0;
    auto storage = log.storage();  // the counts come from the one scan below
    std::unordered_set<session_id> streams;
    each(log.read_log(), [&](const event& e) {
        auto& t = types[to_string(e.type)];
        ++t.events;
        ++total;
        t.payload_bytes += e.payload.size();
        streams.insert(e.stream);
        payload += e.payload.size();
        return true;
    });
    storage.streams = streams.size();
    if (a.has("json")) {
        std::string out = fmt::format(
            "{{\"events\":{},\"streams\":{},\"last_position\":{},\"payload_bytes\":{},"
            "\"sst_bytes\":{},\"wal_bytes\":{},\"memtable_bytes\":{},\"types\":{{",
            total, storage.streams, storage.last_position.value, payload, storage.sst_bytes,
            storage.wal_bytes, storage.memtable_bytes);
        bool first = true;
        for (auto& [name, t] : types) {
            out += fmt::format("{}\"{}\":{{\"events\":{},\"payload_bytes\":{}}}", first ? "" : ",",
                               name, t.events, t.payload_bytes);
            first = false;
        }
        fmt::print("{}}}}}\n", out);
        return 0;
    }
    fmt::print("events         {}\nstreams        {}\nlast position  {}\n", total, storage.streams,
               storage.last_position.value);
    fmt::print("payload bytes  {}\nstorage        {} B in tables, {} B in WAL, {} B in memtables\n",
               payload, storage.sst_bytes, storage.wal_bytes, storage.memtable_bytes);
    fmt::print("\n{:<20} {:>10} {:>14} {:>10}\n", "type", "events", "payload bytes", "avg bytes");
    for (auto& [name, t] : types)
        fmt::print("{:<20} {:>10} {:>14} {:>10}\n", name, t.events, t.payload_bytes,
                   t.payload_bytes / t.events);
    return 0;
}

int verify(event_log& log) {
    auto report = verify_log(log);
    if (!report) throw failure("verify could not read the log", report.error());
    fmt::print("{} streams, {} events, {} index entries, {} client ids\n", report->streams,
               report->events, report->index_entries, report->client_ids);
    if (report->ok()) {
        fmt::print("ok\n");
        return 0;
    }
    for (auto& f : report->faults)
        fmt::print("FAULT {}\n", f);
    if (report->fault_count > report->faults.size())
        fmt::print("… and {} more faults\n", report->fault_count - report->faults.size());
    fmt::print("{} faults\n", report->fault_count);
    return 1;
}

int export_log(event_log& log, const args& a) {
    std::ofstream file;
    auto path = a.get("output");
    if (path) {
        file.open(*path, std::ios::binary | std::ios::trunc);
        if (!file) throw std::runtime_error("cannot write " + *path);
    }
    std::ostream& out = path ? file : std::cout;
    std::string line;
    std::uint64_t n = 0;
    each(log.read_log(), [&](const event& e) {
        line.clear();
        append_json_line(line, e);
        line.push_back('\n');
        out.write(line.data(), static_cast<std::streamsize>(line.size()));
        ++n;
        return true;
    });
    out.flush();
    if (!out) throw std::runtime_error("writing the export failed");
    if (path) fmt::print(stderr, "exported {} events to {}\n", n, *path);
    return 0;
}

int import_log(const std::string& dir, const args& a) {
    std::ifstream file;
    auto path = a.get("input");
    if (path) {
        file.open(*path, std::ios::binary);
        if (!file) throw std::runtime_error("cannot read " + *path);
    }
    std::istream& in = path ? file : std::cin;
    log_options o;
    o.data_dir = dir;
    auto log = event_log::open(o);
    if (!log && log.error() == errc::busy)
        throw std::runtime_error(dir + " is in use (is belayd running on it?): stop it first");
    if (!log) throw failure("cannot open the log in " + dir, log.error());
    std::vector<event> batch;
    std::string line;
    std::uint64_t line_no = 0, imported = 0;
    auto flush = [&] {
        if (batch.empty()) return;
        auto n = batch.size();
        if (auto r = (*log)->restore(std::move(batch)); !r)
            throw failure(fmt::format("importing the events before line {}", line_no + 1),
                          r.error());
        imported += n;
        batch.clear();
    };
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty()) continue;
        auto e = parse_json_line(line);
        if (!e) throw std::runtime_error(fmt::format("line {}: {}", line_no, e.error()));
        batch.push_back(std::move(*e));
        if (batch.size() == 1000) flush();
    }
    flush();
    fmt::print("imported {} events into {}\n", imported, dir);
    return 0;
}

}  // namespace

int run_inspect(const std::vector<std::string>& argv) {
    if (!argv.empty() && (argv[0] == "--help" || argv[0] == "-h")) {
        fmt::print("{}", inspect_usage);
        return 0;
    }
    args a(argv, {"data-dir", "from-seq", "limit", "output", "input"}, {"json"});
    if (a.positional().empty())
        throw usage_error(std::string("what to inspect?\n\n") + inspect_usage);
    const auto& what = a.positional()[0];
    static const std::set<std::string> known = {"streams", "events", "stats",
                                                "verify",  "export", "import"};
    if (!known.count(what)) throw usage_error("unknown inspect command \"" + what + "\"");
    auto dir = a.require("data-dir");
    if (what == "import") return import_log(dir, a);
    auto log = open_reader(dir);
    if (what == "streams") return streams(*log, a);
    if (what == "events") return events(*log, a);
    if (what == "stats") return stats(*log, a);
    if (what == "verify") return verify(*log);
    return export_log(*log, a);
}

}  // namespace belay::cli
