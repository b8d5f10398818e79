#pragma once
// Counters for /metrics (Prometheus text format). Thread-safe.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace belay::transport {

class metrics {
  public:
    void request_done(std::string_view route, std::string_view method, int status);
    void append_done(std::size_t events, double seconds);
    void append_failed() { append_failures_.fetch_add(1, std::memory_order_relaxed); }
    void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
    void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
    void events_committed(std::size_t n) { committed_.fetch_add(n, std::memory_order_relaxed); }
    std::int64_t open_connections() const { return open_connections_.load(); }

    // Everything counted here, in Prometheus text format.
    void render(std::string& out) const;

  private:
    static constexpr std::array<double, 11> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0};
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
    std::array<std::atomic<std::uint64_t>, bounds.size() + 1> latency_buckets_{};
    std::atomic<std::uint64_t> latency_count_{0};
    std::atomic<std::uint64_t> latency_sum_us_{0};
    std::atomic<std::uint64_t> appended_{0};
    std::atomic<std::uint64_t> append_failures_{0};
    std::atomic<std::uint64_t> committed_{0};
    std::atomic<std::int64_t> open_connections_{0};
};

}  // namespace belay::transport
