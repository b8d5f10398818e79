#pragma once
// One wall of `belay fake`: a climb_plan played into a session over the live
// socket, as a camera rig would. Messages carry client ids; up to `window`
// are in flight unacknowledged; after a dropped connection the
// unacknowledged ones are sent again (the server deduplicates by id) before
// the rest. Runs on a client::event_loop (its thread only).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "belay/client/endpoint.hpp"
#include "belay/client/event_loop.hpp"
#include "belay/client/messages.hpp"
#include "belay/client/ws_connection.hpp"
#include "fake_climber.hpp"

namespace belay::cli::fake {

struct wall_options {
    client::endpoint server;
    std::string token;
    std::string session_id;
    double pose_hz = 30;
    std::size_t window = 64;                 // messages sent and not yet acknowledged, at most
    std::string id_prefix;                   // client message ids: id_prefix + a counter
    std::chrono::seconds drain_timeout{30};  // after the climb, for the last acks
    std::function<void(const std::string&)> report;  // a line for the operator
};

struct wall_stats {
    std::uint64_t planned = 0;     // messages the climb has produced so far
    std::uint64_t sent = 0;        // distinct messages sent
    std::uint64_t resent = 0;      // sent again after a reconnect
    std::uint64_t acked = 0;       // distinct messages acknowledged
    std::uint64_t errors = 0;      // error messages from the server
    std::uint64_t reconnects = 0;  // connections opened after the first
    std::uint64_t echoed = 0;      // events the server broadcast back to us
};

class wall {
  public:
    // `on_end` is called once, when the wall has finished or failed.
    wall(client::event_loop& loop, wall_options options, climb_plan plan,
         std::function<void()> on_end);
    wall(const wall&) = delete;
    wall& operator=(const wall&) = delete;

    // Connects; the climb starts when the socket first opens.
    void start();

    const wall_options& options() const { return o_; }
    const wall_stats& stats() const { return stats_; }
    // Played to the end, every message acknowledged or refused, closed.
    bool finished() const { return finished_; }
    // Why the wall stopped early; empty if it did not.
    const std::string& failure() const { return failure_; }
    // Messages not acknowledged (refused ones included).
    std::size_t unacknowledged() const { return unacked_.size() + queued_.size(); }
    // Seconds of the climb played so far.
    double played_s() const;

  private:
    void connect();
    void on_open();
    void on_message(std::string_view text);
    void on_close(const client::ws_close& c);
    void tick();
    void emit(std::string_view type, const std::string& members);
    void emit_climb(double at_s, std::string_view status, bool ended);
    void emit_pose(double at_s);
    void pump();
    void maybe_close();
    void fail(std::string why);
    void end();
    std::string time_at(double at_s) const;

    wall_options o_;
    climb_plan plan_;
    std::function<void()> on_end_;
    client::ws_connection connection_;
    client::timer tick_, retry_, drain_;
    client::message_reader reader_;
    client::server_message message_;

    // The script: what has been emitted so far.
    std::vector<hold_state> states_;
    std::vector<double> state_times_;
    std::size_t frames_ = 0, next_frame_ = 0, next_change_ = 0;
    bool started_ = false, script_done_ = false;
    client::clock_type::time_point t0_;
    std::int64_t start_us_ = 0;  // wall-clock time of the climb's start
    pose pose_;
    std::string text_;  // reused for building messages

    // Delivery.
    std::uint64_t next_id_ = 0;
    std::deque<std::pair<std::uint64_t, std::string>> queued_;  // not sent yet
    std::map<std::uint64_t, std::string> unacked_;              // sent, no ack yet
    std::size_t refused_ = 0;  // error answers on this connection: never acked
    int failures_in_row_ = 0;  // connection attempts since the last open
    bool closing_ = false, finished_ = false, done_ = false;
    std::string failure_;
    wall_stats stats_;
};

}  // namespace belay::cli::fake
