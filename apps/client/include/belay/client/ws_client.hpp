#pragma once
// A blocking WebSocket client, for tests and simple tools: connect, send,
// receive with a timeout. It runs its own event_loop inside each call. Not
// thread-safe: one client per thread.

#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include <boost/system/error_code.hpp>

#include "belay/client/endpoint.hpp"
#include "belay/client/event_loop.hpp"
#include "belay/client/ws_connection.hpp"

namespace belay::client {

class ws_client {
  public:
    ws_client();
    ~ws_client();
    ws_client(const ws_client&) = delete;
    ws_client& operator=(const ws_client&) = delete;

    // Connects to ws://ep/target. On failure, closed() says why.
    [[nodiscard]] bool connect(const endpoint& ep, std::string target,
                               std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Sends a text message and waits until it is written (or the connection ends).
    void send(std::string text, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The next message; nullopt if none came within `timeout` or the
    // connection has ended (then closed() is set). Messages that arrived
    // before the close are delivered first.
    std::optional<std::string> receive(std::chrono::milliseconds timeout);
    // Closes with `code` and waits for the peer's answer (up to `timeout`).
    void close(std::uint16_t code = 1000,
               std::chrono::milliseconds timeout = std::chrono::seconds(5));

    bool is_open() const { return connection_.is_open(); }
    // How the connection ended, once it has.
    const std::optional<ws_close>& closed() const { return closed_; }

  private:
    event_loop loop_;
    ws_connection connection_;
    std::deque<std::string> inbox_;
    std::optional<ws_close> closed_;
    bool opened_ = false;
};

}  // namespace belay::client
