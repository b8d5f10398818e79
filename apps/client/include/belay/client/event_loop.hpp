#pragma once
// The loop that drives connections and timers (an Asio io_context inside).
//
// Threads: a loop and everything attached to it (timers, ws_connections) are
// used from one thread, the one that runs the loop; handlers are called on
// it, so they need no locks. For more cores, run more loops. Only post() may
// be called from other threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace belay::client {

using clock_type = std::chrono::steady_clock;

class event_loop {
  public:
    event_loop();
    ~event_loop();
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;

    // Runs handlers until stop() or until nothing is left to wait for.
    void run();
    // Runs handlers until `done()` is true (checked after each one) or
    // `deadline` passes, or nothing is left to wait for; returns done().
    bool run_until(const std::function<bool()>& done, clock_type::time_point deadline);
    // Makes run() return soon; a later run() starts again.
    void stop();
    // Calls `f` on the loop's thread. Thread-safe.
    void post(std::function<void()> f);

    struct impl;  // the library's own files reach the io_context through it
    impl& internals() { return *impl_; }

  private:
    std::unique_ptr<impl> impl_;
};

// A one-shot timer on a loop. Destroying or cancelling it, or starting a new
// wait, drops the pending handler: it is never called afterwards.
class timer {
  public:
    explicit timer(event_loop& loop);
    ~timer();
    timer(const timer&) = delete;
    timer& operator=(const timer&) = delete;

    void wait_until(clock_type::time_point when, std::function<void()> f);
    void wait_for(clock_type::duration d, std::function<void()> f) {
        wait_until(clock_type::now() + d, std::move(f));
    }
    void cancel();

  private:
    struct state;
    std::shared_ptr<state> state_;
};

}  // namespace belay::client
