#pragma once
// What the network scenarios share that has no Beast in it: the messages
// they send, a fast scan of what comes back, latency samples and the report.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net.hpp"
#include "server.hpp"

namespace belay::bench::net {

// pose_update messages of `landmarks` landmarks; landmark 0's "z" carries
// the message's key, so deliveries can be matched to sends by content (the
// old protocol has no seq). The landmarks after the first are one text made
// once, whose "y" digits are patched for each key: a 33-landmark message
// costs a copy, not 132 number formats.
class pose_builder {
  public:
    explicit pose_builder(unsigned landmarks);
    // The message for `key` into `out`; `id` empty: no client id.
    void build(std::uint64_t key, std::string_view id, std::string& out) const;

  private:
    std::string rest_;               // ,{landmark 1},{landmark 2}…
    std::vector<std::size_t> y_at_;  // where each of those landmarks' "y" digits are
};
// A climb_update of `holds` holds, `done` of them completed.
std::string climb_message(unsigned holds, unsigned done, std::string_view id);

// The parts of a server message the scenarios look at, found without
// parsing the whole JSON.
struct scanned {
    std::string_view type;
    std::optional<std::uint64_t> seq;
    std::string_view id;               // an ack's id
    std::optional<std::uint64_t> key;  // a pose's landmark-0 "z"
};
scanned scan(std::string_view text, bool want_key);

// Microseconds on a monotonic clock.
std::int64_t mono_us();

// Send times by message number, written by a publisher and read by any
// subscriber's thread.
class send_times {
  public:
    explicit send_times(std::size_t capacity)
        : times_(std::make_unique<std::atomic<std::int64_t>[]>(capacity)), capacity_(capacity) {}
    void set(std::uint64_t k, std::int64_t us) {
        if (k < capacity_) times_[k].store(us, std::memory_order_release);
    }
    std::int64_t get(std::uint64_t k) const {
        return k < capacity_ ? times_[k].load(std::memory_order_acquire) : 0;
    }
    std::size_t capacity() const { return capacity_; }

  private:
    std::unique_ptr<std::atomic<std::int64_t>[]> times_;
    std::size_t capacity_;
};

// Latency samples in µs; percentiles in ms.
struct latencies {
    std::vector<std::uint32_t> us;
    void add(std::int64_t v) {
        us.push_back(static_cast<std::uint32_t>(std::max<std::int64_t>(0, v)));
    }
    void merge(const latencies& o) { us.insert(us.end(), o.us.begin(), o.us.end()); }
    double percentile_ms(double p);
    double max_ms() const;
};

// Latencies by when their message was sent, in quarter seconds from the
// run's start: a quarter's p99 shows when a run was slow (a warm-up, a
// flush), which the run's p99 hides.
struct timeline {
    static constexpr std::int64_t quarter_us = 250'000;
    std::vector<latencies> quarters;
    void add(std::int64_t sent_after_start_us, std::int64_t latency_us);
    void merge(const timeline& o);
    // [{"t":0.25,"n":…,"p50_ms":…,"p99_ms":…,"max_ms":…},…], t in seconds.
    std::string json();
    double worst_p99_ms();
};

// A scenario's outcome: named figures, printed as a table and written as
// the JSON report with the parameters, the machine, and the client's and a
// local server's CPU and memory.
struct outcome {
    std::string scenario;
    std::vector<std::pair<std::string, std::string>> parameters;  // name, JSON value
    std::vector<std::pair<std::string, double>> figures;
    std::vector<std::string> checks_failed;  // zero loss, order…: empty when correct
    std::string extra_json;                  // e.g. the gym's steps: ,"steps":[…]
};
// Prints and writes the report; returns the exit code (1 if a check failed).
int finish(const outcome& o, const common_params& p, const target& t, double client_cpu_start,
           const process_figures& server_start);

std::string json_string(std::string_view s);

}  // namespace belay::bench::net
