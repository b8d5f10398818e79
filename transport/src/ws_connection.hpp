#pragma once
// What the live and replay sockets share: the read loop (text frames only,
// within the message rate), closing with a code, the session's access check,
// and the hub's notices (the session deleted, the server stopping). Private
// to transport (includes Beast).
//
// Threads: everything runs on the connection's I/O thread (its context in
// io_pool.hpp); the hub's notices are posted to it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "belay/projections/views.hpp"
#include "live_hub.hpp"
#include "ws_common.hpp"

namespace belay::transport {

class ws_connection : public live_subscriber, public std::enable_shared_from_this<ws_connection> {
  public:
    ws_connection(ws_stream ws, std::shared_ptr<shared_state> state, projections::user_view user,
                  engine::entity_id session);

    void session_gone() override;     // not-found, then 4404
    void server_stopping() override;  // 1001

  protected:
    // Reads until the peer closes or the socket fails; each text message
    // within the rate goes to on_message. A binary frame closes with 1003,
    // and a client far over the rate with 1008. At the end the connection is
    // done, its write side woken, and it leaves the hub.
    boost::asio::awaitable<void> read_loop();
    // (`text` lives in the read buffer until the next read.)
    virtual void on_message(std::string_view text) = 0;
    // A message of our own (state, ack, error) to send before what follows.
    virtual void send_text(std::string text) = 0;
    // After the read loop, before leaving the hub.
    virtual void on_done() {}

    // Closes with `code` once what is queued is sent (the first close wins).
    void close_with(std::uint16_t code, std::string reason);
    // The session, if this user may see it: attached to the hub. Otherwise
    // the client gets not-found and the socket closes with 4404.
    std::optional<projections::session_view> open_session();

    template <class Derived>
    std::shared_ptr<Derived> shared_as() {
        return std::static_pointer_cast<Derived>(shared_from_this());
    }

    ws_stream ws_;
    std::shared_ptr<shared_state> state_;
    projections::user_view user_;
    engine::entity_id session_;
    boost::asio::steady_timer wake_;  // wakes the connection's write side
    std::optional<boost::beast::websocket::close_reason> close_;
    bool done_ = false;  // the read loop ended

  private:
    rate_limiter limiter_;
};

}  // namespace belay::transport
