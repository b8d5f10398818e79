#pragma once
// The live fan-out: after every commit, each event of a session that has
// subscribers is serialised once into its outgoing frame, and that one
// immutable buffer goes to every subscriber of the session.
//
// Threads: on_commit runs on the log's writer thread; attach/detach from any
// thread. Subscribers must not block in deliver(): they post to their own
// strand.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "belay/engine/event.hpp"

namespace belay::transport {

// One outgoing live message: the frame text and the seq it carries.
struct live_frame {
    std::uint64_t seq = 0;
    std::string text;
};
using frame_ptr = std::shared_ptr<const live_frame>;

// {"type":"pose_updated","session_id":"…","seq":9,"ts":"…", …payload fields}
// (with "offset_ms" after "ts" when offset_ms >= 0: replay).
std::string frame_text(const engine::event& e, std::int64_t offset_ms = -1);

class live_subscriber {
  public:
    virtual ~live_subscriber() = default;
    // A committed event of the subscribed session, in log order.
    virtual void deliver(frame_ptr frame) = 0;
    // The session was deleted.
    virtual void session_gone() = 0;
    // The server is stopping: close with 1001.
    virtual void server_stopping() = 0;
};

class live_hub {
  public:
    void attach(engine::session_id session, const std::shared_ptr<live_subscriber>& s);
    void detach(engine::session_id session, const live_subscriber* s);
    void on_commit(const std::vector<engine::event>& events);

    // Per-user connection accounting for the cap; false if `user` is at `cap`.
    bool add_connection(const std::string& user, std::size_t cap);
    void remove_connection(const std::string& user);

    std::size_t subscribers() const;
    // Tells every subscriber the server is stopping (they close themselves).
    void stopping();
    // Forgets every subscriber and delivers nothing more (server stop).
    void close();

  private:
    mutable std::mutex mutex_;
    std::unordered_map<engine::session_id, std::vector<std::weak_ptr<live_subscriber>>> sessions_;
    std::unordered_map<std::string, std::size_t> connections_;
    bool closed_ = false;
};

}  // namespace belay::transport
