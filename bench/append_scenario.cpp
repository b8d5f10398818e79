#include "append_scenario.hpp"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "belay/engine/event_log.hpp"
#include "report.hpp"
#include "sample_events.hpp"

namespace belay::bench {
namespace {

using namespace belay::engine;
using clock_type = std::chrono::steady_clock;

// One appender's stream and the events it sends: 1 climb update in 10, the
// rest pose frames.
struct appender_source {
    session_id stream = session_id::generate();
    std::string climb_payload, pose_payload;
    std::uint64_t sent = 0;

    appender_source(std::size_t bytes, unsigned id)
        : climb_payload(sample_payload(true, bytes, id)),
          pose_payload(sample_payload(false, bytes, id)) {}

    append_request next(unsigned id) {
        append_request r;
        r.stream = stream;
        bool climb = sent % 10 == 0;
        r.type = climb ? event_type::climb_updated : event_type::pose_updated;
        r.author = "bench";
        r.client_id = fmt::format("{}-{}", id, sent++);
        r.payload = climb ? climb_payload : pose_payload;
        return r;
    }
};

struct samples {
    std::vector<double> latencies_us;
    std::uint64_t failures = 0;
};

samples merge(const std::vector<samples>& parts) {
    samples all;
    for (auto& s : parts) {
        all.latencies_us.insert(all.latencies_us.end(), s.latencies_us.begin(),
                                s.latencies_us.end());
        all.failures += s.failures;
    }
    return all;
}

double micros_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}

// Each appender is a thread that blocks on append().
samples run_threads(event_log& log, const append_params& p, unsigned appenders) {
    std::atomic<bool> stop{false};
    std::vector<samples> per(appenders);
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < appenders; ++t) {
        threads.emplace_back([&, t] {
            appender_source source(p.payload_bytes, t);
            per[t].latencies_us.reserve(1 << 16);
            while (!stop.load(std::memory_order_relaxed)) {
                auto t0 = clock_type::now();
                auto res = log.append(source.next(t));
                per[t].latencies_us.push_back(micros_since(t0));
                if (!res) ++per[t].failures;
            }
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(p.seconds));
    stop = true;
    for (auto& th : threads)
        th.join();
    return merge(per);
}

// Each appender is a logical client with one append in flight: its
// completion (on the writer thread) is handed to an io thread, which records
// it and sends that appender's next event.
class async_run {
  public:
    async_run(event_log& log, const append_params& p, unsigned appenders) : log_(log) {
        for (unsigned i = 0; i < appenders; ++i)
            sources_.emplace_back(p.payload_bytes, i);
    }

    samples run(double seconds, unsigned io_threads, unsigned window) {
        for (unsigned w = 0; w < std::max(1u, window); ++w)
            for (unsigned i = 0; i < sources_.size(); ++i)
                send(i);
        std::vector<samples> per(std::max(1u, io_threads));
        std::vector<std::thread> threads;
        for (auto& s : per)
            threads.emplace_back([this, &s] { io_loop(s); });
        std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
        stop_ = true;
        for (auto& th : threads)
            th.join();
        return merge(per);
    }

  private:
    struct completion {
        unsigned appender;
        clock_type::time_point sent;
        bool ok;
    };

    void send(unsigned who) {
        ++in_flight_;
        std::vector<append_request> one;
        one.push_back(sources_[who].next(who));
        auto t0 = clock_type::now();
        log_.append_async(std::move(one), [this, who, t0](result<std::vector<append_result>> r) {
            {
                std::lock_guard lock(mutex_);
                ready_.push_back({who, t0, static_cast<bool>(r)});
            }
            wake_.notify_one();
        });
    }

    void io_loop(samples& out) {
        std::vector<completion> batch;
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return !ready_.empty() || (stop_ && in_flight_ == 0); });
                if (ready_.empty()) return;
                batch.swap(ready_);
            }
            for (auto& c : batch) {
                out.latencies_us.push_back(micros_since(c.sent));
                if (!c.ok) ++out.failures;
                --in_flight_;
                if (!stop_) send(c.appender);
            }
            batch.clear();
            if (stop_ && in_flight_ == 0) wake_.notify_all();
        }
    }

    event_log& log_;
    std::vector<appender_source> sources_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<completion> ready_;
    std::atomic<bool> stop_{false};
    std::atomic<unsigned> in_flight_{0};
};

struct run_figures {
    std::string mode, durability;
    unsigned appenders = 0, window = 1;
    std::uint64_t events = 0;
    double seconds = 0, cpu_seconds = 0;
    double p50_us = 0, p99_us = 0, p999_us = 0;
    std::uint64_t failures = 0;
    double log_order_events_per_s = 0;
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

run_figures run_one(const append_params& p, const std::string& mode, const std::string& durability,
                    unsigned appenders, unsigned window, const std::string& dir) {
    log_options o;
    o.data_dir = dir;
    o.durability = *parse_durability(durability);
    auto log = event_log::open(o);
    if (!log) throw std::runtime_error("open: " + log.error().message());
    auto cpu0 = process_cpu_seconds();
    auto start = clock_type::now();
    auto s = mode == "async" ? async_run(**log, p, appenders).run(p.seconds, p.io_threads, window)
                             : run_threads(**log, p, appenders);
    run_figures f;
    f.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
    f.cpu_seconds = process_cpu_seconds() - cpu0;
    f.mode = mode;
    f.durability = durability;
    f.appenders = appenders;
    f.window = mode == "async" ? window : 1;
    f.failures = s.failures;
    f.events = s.latencies_us.size() - f.failures;
    f.p50_us = percentile(s.latencies_us, 0.50);
    f.p99_us = percentile(s.latencies_us, 0.99);
    f.p999_us = percentile(s.latencies_us, 0.999);
    f.log_order_events_per_s = read_rate((*log)->read_log(), f.read_events);
    return f;
}

std::string to_json(const run_figures& f) {
    return fmt::format(
        "{{\"mode\":\"{}\",\"durability\":\"{}\",\"appenders\":{},\"window\":{},\"events\":{},"
        "\"failures\":{},"
        "\"seconds\":{:.3f},"
        "\"events_per_s\":{:.0f},\"cpu_seconds\":{:.3f},\"append_latency_us\":{{\"p50\":{:.1f},"
        "\"p99\":{:.1f},\"p999\":{:.1f}}},\"read\":{{\"events\":{},"
        "\"log_order_events_per_s\":{:.0f}}}}}",
        f.mode, f.durability, f.appenders, f.window, f.events, f.failures, f.seconds,
        f.events / f.seconds, f.cpu_seconds, f.p50_us, f.p99_us, f.p999_us, f.read_events,
        f.log_order_events_per_s);
}

std::string fresh_dir(const append_params& p, const std::string& name) {
    if (!p.data_dir.empty()) {
        auto d = std::filesystem::path(p.data_dir) / name;
        std::filesystem::remove_all(d);
        return d.string();
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "belay-bench-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

struct configuration {
    std::string mode, durability;
    unsigned appenders, window;
};

std::vector<configuration> configurations(const append_params& p) {
    std::vector<configuration> out;
    for (auto& mode : p.modes)
        for (auto& durability : p.durabilities)
            for (auto appenders : p.appenders)
                for (auto window : mode == "async" ? p.windows : std::vector<unsigned>{1})
                    out.push_back({mode, durability, appenders, window});
    return out;
}

void print_row(const run_figures& f) {
    fmt::print(
        "{:<8} {:<9} {:>9} {:>6} {:>10} {:>10.0f} {:>8.1f} {:>8.1f} {:>8.1f} {:>6.2f} {:>10.0f}\n",
        f.mode, f.durability, f.appenders, f.window, f.events, f.events / f.seconds, f.p50_us,
        f.p99_us, f.p999_us, f.cpu_seconds, f.log_order_events_per_s);
}

}  // namespace

int run_append(const append_params& p) {
    auto machine = read_machine();
    fmt::print("append: {:.1f} s per configuration, ~{} B payloads, {} ({} cpus)\n\n", p.seconds,
               p.payload_bytes, machine.cpu_model, machine.cpus);
    fmt::print("{:<8} {:<9} {:>9} {:>6} {:>10} {:>10} {:>8} {:>8} {:>8} {:>6} {:>10}\n", "mode",
               "durability", "appenders", "window", "events", "events/s", "p50 µs", "p99 µs",
               "p999 µs", "cpu s", "read ev/s");
    std::vector<run_figures> all;
    bool failed = false;
    for (auto& c : configurations(p)) {
        auto dir = fresh_dir(
            p, fmt::format("append-{}-{}-{}-{}", c.mode, c.durability, c.appenders, c.window));
        all.push_back(run_one(p, c.mode, c.durability, c.appenders, c.window, dir));
        if (p.data_dir.empty()) std::filesystem::remove_all(dir);
        print_row(all.back());
        failed = failed || all.back().failures > 0 || all.back().read_events != all.back().events;
    }
    if (!p.report_path.empty()) {
        std::string json = fmt::format(
            "{{\"scenario\":\"append\",\"time\":\"{}\",\"machine\":{},\"parameters\":{{"
            "\"seconds\":{},\"payload_bytes\":{},\"io_threads\":{}}},\"results\":[",
            now_rfc3339(), machine_json(machine), p.seconds, p.payload_bytes, p.io_threads);
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
