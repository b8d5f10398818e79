#include "append_scenario.hpp"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "belay/engine/event_log.hpp"
#include "report.hpp"

namespace belay::bench {
namespace {

using namespace belay::engine;
using clock_type = std::chrono::steady_clock;

// A climb or pose payload of about `bytes` bytes, shaped like the real ones.
std::string payload(bool climb, std::size_t bytes, std::uint64_t i) {
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

struct run_figures {
    std::string durability;
    unsigned appenders = 0;
    std::uint64_t events = 0;
    double seconds = 0, cpu_seconds = 0;
    double p50_us = 0, p99_us = 0, p999_us = 0;
    std::uint64_t failures = 0;
    double scan_events_per_s = 0, log_order_events_per_s = 0;
    std::uint64_t read_events = 0;
};

double read_rate(log_cursor cursor, std::uint64_t& count) {
    auto start = clock_type::now();
    event e;
    count = 0;
    for (;;) {
        auto r = cursor.next(e);
        if (!r) throw std::runtime_error("read failed: " + r.error().message());
        if (!*r) break;
        ++count;
    }
    return static_cast<double>(count) /
           std::chrono::duration<double>(clock_type::now() - start).count();
}

run_figures run_one(const append_params& p, const std::string& mode, unsigned appenders,
                    const std::string& dir) {
    log_options o;
    o.data_dir = dir;
    o.durability = *parse_durability(mode);
    auto log = event_log::open(o);
    if (!log) throw std::runtime_error("open: " + log.error().message());
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> failures{0};
    std::vector<std::vector<double>> latencies(appenders);
    std::vector<std::thread> threads;
    auto cpu0 = process_cpu_seconds();
    auto start = clock_type::now();
    for (unsigned t = 0; t < appenders; ++t) {
        threads.emplace_back([&, t] {
            auto stream = session_id::generate();
            auto climb_payload = payload(true, p.payload_bytes, t);
            auto pose_payload = payload(false, p.payload_bytes, t);
            latencies[t].reserve(1 << 16);
            for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
                append_request r;
                r.stream = stream;
                bool climb = i % 10 == 0;
                r.type = climb ? event_type::climb_updated : event_type::pose_updated;
                r.author = "bench";
                r.client_id = fmt::format("{}-{}", t, i);
                r.payload = climb ? climb_payload : pose_payload;
                auto t0 = clock_type::now();
                auto res = (*log)->append(std::move(r));
                latencies[t].push_back(
                    std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
                if (!res) failures.fetch_add(1);
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(p.seconds));
    stop = true;
    for (auto& th : threads)
        th.join();
    run_figures f;
    f.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    f.cpu_seconds = process_cpu_seconds() - cpu0;
    f.durability = mode;
    f.appenders = appenders;
    f.failures = failures;
    std::vector<double> all;
    for (auto& l : latencies)
        all.insert(all.end(), l.begin(), l.end());
    f.events = all.size() - f.failures;
    f.p50_us = percentile(all, 0.50);
    f.p99_us = percentile(all, 0.99);
    f.p999_us = percentile(all, 0.999);
    f.scan_events_per_s = read_rate((*log)->scan_all(), f.read_events);
    std::uint64_t ordered = 0;
    f.log_order_events_per_s = read_rate((*log)->read_log(), ordered);
    return f;
}

std::string to_json(const run_figures& f) {
    return fmt::format(
        "{{\"durability\":\"{}\",\"appenders\":{},\"events\":{},\"failures\":{},\"seconds\":{:.3f},"
        "\"events_per_s\":{:.0f},\"cpu_seconds\":{:.3f},\"append_latency_us\":{{\"p50\":{:.1f},"
        "\"p99\":{:.1f},\"p999\":{:.1f}}},\"read\":{{\"events\":{},\"scan_events_per_s\":{:.0f},"
        "\"log_order_events_per_s\":{:.0f}}}}}",
        f.durability, f.appenders, f.events, f.failures, f.seconds, f.events / f.seconds,
        f.cpu_seconds, f.p50_us, f.p99_us, f.p999_us, f.read_events, f.scan_events_per_s,
        f.log_order_events_per_s);
}

std::string fresh_dir(const append_params& p, const std::string& mode, unsigned appenders) {
    if (!p.data_dir.empty()) {
        auto d = std::filesystem::path(p.data_dir) / fmt::format("append-{}-{}", mode, appenders);
        std::filesystem::remove_all(d);
        return d.string();
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "belay-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

}  // namespace

int run_append(const append_params& p) {
    auto machine = read_machine();
    fmt::print("append: {:.1f} s per configuration, ~{} B payloads, {} ({} cpus)\n\n", p.seconds,
               p.payload_bytes, machine.cpu_model, machine.cpus);
    fmt::print("{:<9} {:>9} {:>10} {:>12} {:>9} {:>9} {:>9} {:>7} {:>12} {:>12}\n", "durability",
               "appenders", "events", "events/s", "p50 µs", "p99 µs", "p999 µs", "cpu s",
               "scan ev/s", "order ev/s");
    std::vector<run_figures> all;
    bool failed = false;
    for (auto& mode : p.durabilities) {
        for (auto appenders : p.appenders) {
            auto dir = fresh_dir(p, mode, appenders);
            auto f = run_one(p, mode, appenders, dir);
            if (p.data_dir.empty()) std::filesystem::remove_all(dir);
            fmt::print(
                "{:<9} {:>9} {:>10} {:>12.0f} {:>9.1f} {:>9.1f} {:>9.1f} {:>7.2f} {:>12.0f} "
                "{:>12.0f}\n",
                f.durability, f.appenders, f.events, f.events / f.seconds, f.p50_us, f.p99_us,
                f.p999_us, f.cpu_seconds, f.scan_events_per_s, f.log_order_events_per_s);
            failed = failed || f.failures > 0 || f.read_events != f.events;
            all.push_back(std::move(f));
        }
    }
    if (!p.report_path.empty()) {
        std::string json = fmt::format(
            "{{\"scenario\":\"append\",\"time\":\"{}\",\"machine\":{},\"parameters\":{{"
            "\"seconds\":{},\"payload_bytes\":{}}},\"results\":[",
            now_rfc3339(), machine_json(machine), p.seconds, p.payload_bytes);
        for (std::size_t i = 0; i < all.size(); ++i)
            json += (i ? "," : "") + to_json(all[i]);
        json += "]}\n";
        write_file(p.report_path, json);
        fmt::print("\nreport: {}\n", p.report_path);
    }
    if (failed) fmt::print(stderr, "some appends failed, or the read-back count differs\n");
    return failed ? 1 : 0;
}

}  // namespace belay::bench
