#pragma once
// The live fan-out: after every commit, each event of a session that has
// subscribers is serialised once into its outgoing frame, and that one
// immutable buffer goes to every subscriber of the session.
//
// Threads: on_commit runs on the log's writer thread; attach/detach from any
// thread. Subscribers must not block in deliver(): they post to their own
// I/O thread (io_pool.hpp).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "belay/engine/event.hpp"

namespace belay::transport {

// One outgoing live message: the frame text and the seq it carries.
struct live_frame {
    std::uint64_t seq = 0;
    std::string text;
};
using frame_ptr = std::shared_ptr<const live_frame>;
using frame_batch = std::shared_ptr<const std::vector<frame_ptr>>;

// {"type":"pose_updated","session_id":"…","seq":9,"ts":"…", …payload fields}
// (with "offset_ms" after "ts" when offset_ms >= 0: replay).
std::string frame_text(const engine::event& e, std::int64_t offset_ms = -1);

class live_subscriber {
  public:
    virtual ~live_subscriber() = default;
    // A committed event of the subscribed session, in log order.
    virtual void deliver(frame_ptr frame) = 0;
    // Several, in log order (the hub batches while it is busy).
    virtual void deliver_batch(frame_batch batch) {
        for (const auto& f : *batch)
            deliver(f);
    }
    // The session was deleted.
    virtual void session_gone() = 0;
    // The server is stopping: close with 1001.
    virtual void server_stopping() = 0;
};

class live_hub : public std::enable_shared_from_this<live_hub> {
  public:
    // While busy (over `above` frames/s; 0: always), frames are gathered per
    // session and handed out every `delay` on `io`, one batch per subscriber
    // (0: never batch).
    void batch_on(std::shared_ptr<boost::asio::io_context> io, std::chrono::milliseconds delay,
                  double above = 20'000);
    void attach(engine::session_id session, const std::shared_ptr<live_subscriber>& s);
    void detach(engine::session_id session, const live_subscriber* s);
    void on_commit(const std::vector<engine::event>& events);

    // Per-user connection accounting for the cap; false if `user` is at `cap`.
    bool add_connection(const std::string& user, std::size_t cap);
    void remove_connection(const std::string& user);

    // The frame of `session`'s event `seq` if it is waiting in a batch (so
    // not yet handed to any subscriber); null otherwise. Its sender may take
    // it early, with its ack: the batch's copy is then skipped as seen.
    frame_ptr waiting_frame(engine::session_id session, std::uint64_t seq) const;

    std::size_t subscribers() const;
    // True while the hub hands out more than batch_on's `above` frames a
    // second (measured over the last tenth of a second, or already over it
    // in the current tenth): it then batches.
    bool busy() const { return busy_above_ == 0 || busy_.load(std::memory_order_relaxed); }
    // Tells every subscriber the server is stopping (they close themselves).
    void stopping();
    // Forgets every subscriber and delivers nothing more (server stop).
    void close();

  private:
    mutable std::mutex mutex_;
    // Held through each on_commit (never with mutex_ held first): close()
    // takes it to wait for a delivery in progress.
    std::mutex delivery_mutex_;
    std::unordered_map<engine::session_id, std::vector<std::weak_ptr<live_subscriber>>> sessions_;
    std::unordered_map<std::string, std::size_t> connections_;
    bool closed_ = false;
    // The delivery rate, counted on the writer thread (on_commit's only caller).
    static constexpr std::int64_t window_us = 100'000;
    std::int64_t window_start_us_ = 0;
    std::uint64_t window_deliveries_ = 0;
    std::atomic<bool> busy_{false};
    void count_deliveries(std::size_t n);
    void hand_out();  // the batches gathered, on an I/O thread

    std::shared_ptr<boost::asio::io_context> io_;
    std::chrono::milliseconds batch_delay_{0};
    double busy_above_ = 20'000;
    std::unique_ptr<boost::asio::steady_timer> tick_;
    std::unordered_map<engine::session_id, std::vector<frame_ptr>> batches_;  // guarded
    bool tick_armed_ = false;                                                 // guarded
};

}  // namespace belay::transport
