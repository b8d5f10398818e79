// belayd: the Belay server. Opens the event log, brings the projections up
// to date, serves HTTP until SIGINT/SIGTERM, then drains and checkpoints.

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "args.hpp"
#include "belay/projections/rebuild.hpp"
#include "belay/transport/server.hpp"
#include "bootstrap.hpp"
#include "settings.hpp"

namespace {

using namespace belay;

std::unique_ptr<engine::event_log> open_log(const daemon::settings& s) {
    engine::log_options o;
    o.data_dir = s.data_dir;
    o.durability = s.durability;
    auto log = engine::event_log::open(o);
    if (!log && log.error() == engine::errc::busy)
        throw std::runtime_error(s.data_dir + " is in use by another process (another belayd?)");
    if (!log)
        throw std::runtime_error(
            fmt::format("cannot open the event log in {}: {}", s.data_dir, log.error().message()));
    return std::move(*log);
}

void bring_up_to_date(projections::state_store& store, engine::event_log& log, bool rebuild) {
    auto r = rebuild ? projections::rebuild(store, log) : projections::restore(store, log);
    if (!r)
        throw std::runtime_error("cannot read the log into the projections: " +
                                 r.error().message());
    if (r->from_checkpoint)
        fmt::print("projections: checkpoint at position {} + {} events in {:.2f} s\n",
                   r->checkpoint_position.value, r->events_applied, r->seconds);
    else
        fmt::print("projections: folded {} events in {:.2f} s ({:.0f} events/s)\n",
                   r->events_applied, r->seconds,
                   r->seconds > 0 ? static_cast<double>(r->events_applied) / r->seconds : 0.0);
}

// Checkpoints the projections every `every` events and prints a status line
// every `interval` seconds, until stopped.
class housekeeper {
  public:
    housekeeper(engine::event_log& log, projections::state_store& store, std::uint64_t every,
                unsigned interval_s)
        : log_(log), store_(store), every_(every), interval_s_(interval_s), thread_([this] {
              run();
          }) {}
    ~housekeeper() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_one();
        thread_.join();
    }

  private:
    void run() {
        auto last_checkpoint = store_.position().value;
        auto last_status = std::chrono::steady_clock::now();
        auto status_position = log_.last_position().value;
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
            auto now = store_.position().value;
            if (now - last_checkpoint >= every_) {
                if (auto r = projections::save_checkpoint(store_, log_); !r)
                    fmt::print(stderr, "checkpoint failed: {}\n", r.error().message());
                else
                    last_checkpoint = now;
            }
            auto elapsed = std::chrono::steady_clock::now() - last_status;
            if (interval_s_ > 0 && elapsed >= std::chrono::seconds(interval_s_)) {
                auto pos = log_.last_position().value;
                if (pos != status_position)
                    fmt::print(
                        "status: {} events in the last {} s, log at position {}, {} sessions\n",
                        pos - status_position, interval_s_, pos, store_.session_count());
                status_position = pos;
                last_status = std::chrono::steady_clock::now();
            }
            std::fflush(stdout);
        }
    }

    engine::event_log& log_;
    projections::state_store& store_;
    std::uint64_t every_;
    unsigned interval_s_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

// Raises the open-file limit to its maximum and keeps the connection cap
// under it, with room left for RocksDB's files.
transport::server_options fit_descriptors(transport::server_options o) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return o;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    constexpr rlim_t reserve = 256;  // RocksDB, the log, stdio
    auto room = limit.rlim_cur > 2 * reserve ? limit.rlim_cur - reserve : limit.rlim_cur / 2;
    if (o.max_connections > room) {
        fmt::print("belayd: {} open files allowed: at most {} connections (not {})\n",
                   limit.rlim_cur, room, o.max_connections);
        o.max_connections = static_cast<std::size_t>(room);
    }
    return o;
}

int run(const daemon::settings& s) {
    // Signals are taken by sigwait below, never by another thread.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto log = open_log(s);
    projections::state_store store;
    bring_up_to_date(store, *log, s.rebuild);
    log->add_commit_listener(
        [&store](const std::vector<engine::event>& events) { store.apply(events); });
    if (auto token_file = daemon::create_admin_if_none(*log, store, s.data_dir);
        !token_file.empty())
        fmt::print("created the user admin; its token is in {} (mode 0600)\n", token_file);

    transport::server server(fit_descriptors(s.server), *log, store);
    server.start();
    fmt::print("belayd listening on http://{}:{} (data {}, durability {})\n", s.server.address,
               server.port(), s.data_dir, engine::to_string(s.durability));
    std::fflush(stdout);
    {
        housekeeper keeper(*log, store, s.checkpoint_every, s.stats_interval_s);
        int sig = 0;
        sigwait(&signals, &sig);
        fmt::print("belayd: {} received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
        std::fflush(stdout);
        server.stop();
    }
    // The server is stopped and its requests answered: nothing appends now.
    if (auto r = projections::save_checkpoint(store, *log); !r)
        fmt::print(stderr, "final checkpoint failed: {}\n", r.error().message());
    log.reset();
    fmt::print("belayd: stopped at position {}\n", store.position().value);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        auto s = daemon::parse_settings(std::vector<std::string>(argv + 1, argv + argc));
        if (s.help) {
            fmt::print("{}", daemon::usage);
            return 0;
        }
        return run(s);
    } catch (const cli::usage_error& e) {
        fmt::print(stderr, "belayd: {}\n\n{}", e.what(), daemon::usage);
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "belayd: {}\n", e.what());
        return 1;
    }
}
