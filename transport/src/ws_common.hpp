#pragma once
// What the WebSocket endpoints share (private): their messages, the message
// rate limiter, and the entry points behind serve_websocket.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "belay/projections/views.hpp"
#include "connection.hpp"
#include "frame_stream.hpp"

namespace belay::transport {

// A WebSocket over the batching frame_stream.
using ws_stream = boost::beast::websocket::stream<frame_stream>;

// {"type":"error","code":…,"message":…}
std::string error_message(std::string_view code, std::string_view message);
// The error for an unknown or hidden session.
std::string not_found_message(engine::entity_id session);
// {"type":"session_state","session_id":…,"seq":…,"session":{…}}
std::string session_state_message(const projections::session_view& v);

// A token bucket: `rate` messages a second, `burst` at once. Past the bucket
// a message is refused; a client that keeps sending at more than twice the
// allowance is closed.
class rate_limiter {
  public:
    enum class verdict { ok, refuse, close };
    rate_limiter(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}
    verdict take();

  private:
    double rate_, burst_, tokens_;
    double refused_ = 0;  // refusals not yet forgiven
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// The replay socket's query: ?speed=&from_seq=&paused=&max_gap_ms=&follow=
struct replay_params {
    double speed = 1.0;  // 0: as fast as the client reads
    std::optional<std::uint64_t> from_seq;
    bool paused = false;
    std::optional<std::int64_t> max_gap_us;
    bool follow = false;
};

boost::asio::awaitable<void> serve_replay(ws_stream ws, std::shared_ptr<shared_state> state,
                                          projections::user_view user, engine::entity_id session,
                                          replay_params params);

boost::asio::awaitable<void> serve_live(ws_stream ws, std::shared_ptr<shared_state> state,
                                        projections::user_view user, engine::entity_id session,
                                        std::optional<std::uint64_t> after_seq);

}  // namespace belay::transport
