#pragma once
// The server's WebSocket messages (PROTOCOL.md), read once into a typed
// value: what a client acts on (seqs, acks, errors, replay bounds) and what
// a person wants to see in one line (statuses, hold progress, landmarks).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace belay::client {

enum class message_kind {
    event,             // *_updated, session_created …: carries the event's seq
    session_state,     // the state on connect (or after a replay seek)
    ack,               // {"type":"ack","id","seq"}
    error,             // {"type":"error","code","message"}
    replay_info,       // the replay socket's first message
    replay_completed,  // the replay's end
    other,             // any other type
};

// A climb's holds: how many, how many grabbed and completed, and the climb's status.
struct climb_progress {
    std::size_t holds = 0;
    std::size_t grabbed = 0;
    std::size_t completed = 0;
    std::string status;  // empty when the climb has none
};

struct server_message {
    message_kind kind = message_kind::other;
    std::string type;
    std::uint64_t seq = 0;                  // events, session_state, ack
    std::string ts;                         // events: the server's receive time
    std::optional<std::int64_t> offset_ms;  // replayed events
    std::string id;                         // ack: the client message id
    std::string code, message;              // error
    // replay_info, replay_completed (last_seq)
    std::uint64_t first_seq = 0, last_seq = 0, event_count = 0;
    std::int64_t duration_ms = 0;
    std::optional<double> speed;
    bool paused = false;
    // For people: the session's status, end_time (session events and the
    // session of session_state / replay_info), its climb, a pose's size.
    std::string status, end_time;
    std::optional<climb_progress> climb;
    std::size_t landmarks = 0;
};

// Reads server messages with one reusable parser. Not thread-safe: one
// reader per thread.
class message_reader {
  public:
    message_reader();
    ~message_reader();
    message_reader(const message_reader&) = delete;
    message_reader& operator=(const message_reader&) = delete;

    // Fills `out` from `text`; false when `text` is not a JSON object with a
    // string "type". `out` is overwritten whole.
    [[nodiscard]] bool read(std::string_view text, server_message& out);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace belay::client
