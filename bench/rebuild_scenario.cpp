#include "rebuild_scenario.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "belay/engine/payloads.hpp"
#include "belay/projections/rebuild.hpp"
#include "report.hpp"
#include "sample_events.hpp"

namespace belay::bench {
namespace {

using namespace belay::engine;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Sessions like a gym's: each created, then climb updates and pose frames.
void fill(event_log& log, const rebuild_params& p) {
    auto climb = sample_payload(true, 300, 1), pose = sample_payload(false, 1700, 2);
    std::vector<session_id> ids(p.sessions);
    std::vector<append_request> batch;
    for (std::uint64_t i = 0; i < p.events; ++i) {
        auto s = i % p.sessions;
        append_request r;
        r.author = "bench";
        if (i < p.sessions) {
            ids[s] = session_id::generate();
            session_fields f;
            f.user = "bench";
            f.route.emplace();
            f.start_time = now_us();
            f.end_time.emplace();
            f.status = "started";
            f.climb_data = "{}";
            r.type = event_type::session_created;
            r.payload = to_payload(f);
        } else {
            r.type = i % 10 == 0 ? event_type::climb_updated : event_type::pose_updated;
            r.payload = r.type == event_type::climb_updated ? climb : pose;
        }
        r.stream = ids[s];
        batch.push_back(std::move(r));
        if (batch.size() == 1000 || i + 1 == p.events) {
            if (auto a = log.append_batch(std::move(batch)); !a)
                throw std::runtime_error("append failed: " + a.error().message());
            batch.clear();
        }
    }
}

// Time from starting belayd on `dir` to its first 200 from /healthz.
double belayd_start_seconds(const std::string& belayd, const std::string& dir) {
    int port = 20000 + static_cast<int>(getpid() % 20000);
    auto start = clock_type::now();
    std::fflush(stdout);  // or the child's exit would print our buffer again
    pid_t pid = fork();
    if (pid == 0) {
        auto listen = fmt::format("127.0.0.1:{}", port);
        freopen("/dev/null", "w", stdout);
        execl(belayd.c_str(), belayd.c_str(), "--data-dir", dir.c_str(), "--listen", listen.c_str(),
              "--durability", "buffered", static_cast<char*>(nullptr));
        _exit(127);
    }
    double elapsed = -1;
    while (seconds_since(start) < 60) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
        if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
            std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            char buf[64] = {};
            if (send(fd, req.data(), req.size(), 0) > 0 && recv(fd, buf, sizeof buf - 1, 0) > 12 &&
                std::string_view(buf).substr(9, 3) == "200") {
                elapsed = seconds_since(start);
                close(fd);
                break;
            }
        }
        close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    return elapsed;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int run_rebuild(const rebuild_params& p) {
    std::string dir = p.data_dir;
    if (dir.empty()) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "belay-rebuild-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        dir = pattern;
    }
    auto machine = read_machine();
    double fill_s = 0, restore_s = 0, start_s = -1;
    std::vector<double> rates;
    std::uint64_t folded = 0;
    {
        log_options o;
        o.data_dir = dir;
        o.durability = durability::buffered;
        auto log = event_log::open(o);
        if (!log) throw std::runtime_error("open: " + log.error().message());
        auto existing = (*log)->last_position().value;
        auto t = clock_type::now();
        if (existing == 0) fill(**log, p);
        fill_s = existing == 0 ? seconds_since(t) : 0;
        fmt::print("rebuild: {} events in the log ({})\n", (*log)->last_position().value,
                   existing ? "reused" : fmt::format("written in {:.1f} s", fill_s));
        for (unsigned i = 0; i < std::max(1u, p.rounds); ++i) {
            projections::state_store store;
            auto r = projections::rebuild(store, **log);
            if (!r) throw std::runtime_error("rebuild: " + r.error().message());
            folded = r->events_applied;
            rates.push_back(static_cast<double>(r->events_applied) / r->seconds);
            fmt::print("  full rebuild {}: {} events in {:.3f} s = {:.0f} events/s\n", i + 1,
                       r->events_applied, r->seconds, rates.back());
            if (i == 0 && !projections::save_checkpoint(store, **log))
                throw std::runtime_error("checkpoint failed");
        }
        projections::state_store store;
        auto r = projections::restore(store, **log);
        if (!r || !r->from_checkpoint) throw std::runtime_error("restore from checkpoint failed");
        restore_s = r->seconds;
        fmt::print("  restore from checkpoint: {:.3f} s\n", restore_s);
    }
    if (!p.belayd.empty()) {
        start_s = belayd_start_seconds(p.belayd, dir);
        fmt::print("  belayd start to /healthz 200: {:.3f} s\n", start_s);
    }
    fmt::print("median full rebuild: {:.0f} events/s\n", median(rates));
    if (!p.report_path.empty())
        write_file(p.report_path,
                   fmt::format("{{\"scenario\":\"rebuild\",\"time\":\"{}\",\"machine\":{},"
                               "\"parameters\":{{\"events\":{},\"sessions\":{},\"rounds\":{}}},"
                               "\"results\":{{\"events_folded\":{},\"rebuild_events_per_s\":{:.0f},"
                               "\"restore_seconds\":{:.4f},\"belayd_start_seconds\":{:.4f},"
                               "\"fill_seconds\":{:.2f}}}}}\n",
                               now_rfc3339(), machine_json(machine), p.events, p.sessions, p.rounds,
                               folded, median(rates), restore_s, start_s, fill_s));
    if (p.data_dir.empty()) std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace belay::bench
