#pragma once
// The live sockets' two roles, apart from how their sockets are driven
// (live_loop.hpp): a viewer checks the order of what it receives and times
// it against its send; a publisher sends at a rate or within a window of
// unacknowledged messages, and times the acks.
//
// Threads: each viewer and publisher belongs to one loop thread; the atomics
// are what other threads read while it runs.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sockets.hpp"

namespace belay::bench::net {

bool is_event(std::string_view type);

// A viewer of one session: every event, checked for order and timed against
// its send.
struct viewer {
    std::string session, token;
    const send_times* times = nullptr;
    const std::atomic<std::int64_t>* run_start = nullptr;  // for the timeline
    bool old = false;
    std::uint64_t base = 0;      // the seq of message 0
    std::uint64_t expected = 0;  // the next message number
    std::uint64_t disorder = 0;  // arrivals that were not the next one
    std::atomic<std::uint64_t> received{0};
    std::atomic<bool> ready{false}, failed{false};  // failed: `error` says why
    timeline by_send;                               // every latency, by when its message was sent
    std::string error;

    // The socket once upgraded (the live loop's from then on).
    int fd = -1;
    std::string unread;

    void on_message(std::string_view text, std::int64_t now);
};

// A publisher: messages at a rate (fanout, gym rigs) or as fast as a window
// of unacknowledged ones allows (ingest), timing acks.
struct publisher {
    std::string session, token;
    send_times* times = nullptr;  // shared with viewers (rate mode); may be null
    bool old = false;
    double rate = 0;       // messages/s; 0: by window
    unsigned window = 16;  // unacknowledged at most
    unsigned landmarks = 33;
    unsigned climb_every = 0;               // every n-th message is a climb_update (0: none)
    std::atomic<std::int64_t> start_us{0};  // when to begin (all rigs start together)
    std::atomic<std::int64_t> stop_us{0};   // when to stop sending
    std::atomic<std::uint64_t> sent{0}, acked{0}, errors{0};
    std::atomic<bool> ready{false}, done{false}, failed{false};  // failed: `error` says why
    std::vector<std::int64_t> sent_at;                           // by message number
    std::uint64_t inflight = 0;
    latencies ack_lat;
    std::string error;

    int fd = -1;
    std::string unread;

    void on_message(std::string_view text, std::int64_t now);
    // Whether a message is due at `now`; if not, `wake_at` says when to ask
    // again (INT64_MAX: at the next ack). Sets `done` once past stop_us.
    bool due(std::int64_t now, std::int64_t& wake_at);
    // The next message into `out`, counted as sent at `now`.
    void next_message(std::int64_t now, std::string& out);

  private:
    std::uint64_t k_ = 0;
    unsigned done_holds_ = 0;
    std::unique_ptr<pose_builder> poses_;
};

}  // namespace belay::bench::net
