#pragma once
// An asynchronous WebSocket client connection on an event_loop: text
// messages in and out, one write in flight with a queue behind it, and how
// the connection ended. See event_loop.hpp for threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "belay/client/endpoint.hpp"
#include "belay/client/event_loop.hpp"

namespace belay::client {

// How a connection ended.
struct ws_close {
    std::uint16_t code = 0;           // the close code the peer sent; 0 if none came
    std::string reason;               // and its reason
    boost::system::error_code error;  // the failure when no close frame came (or connecting failed)
    int http_status = 0;              // the HTTP status when the server refused the upgrade

    bool clean() const { return code != 0; }
    // One line for a person: "close 4404 (session not found)", "HTTP 404", "Connection refused".
    std::string describe() const;
};

class ws_connection {
  public:
    struct handlers {
        std::function<void()> on_open;
        std::function<void(std::string_view text)> on_message;  // text valid during the call
        std::function<void(const ws_close&)> on_close;          // exactly once per connect()
    };

    ws_connection(event_loop& loop, handlers h);
    // Abandons a connection still open (no handler is called afterwards).
    ~ws_connection();
    ws_connection(const ws_connection&) = delete;
    ws_connection& operator=(const ws_connection&) = delete;

    // Opens ws://ep/target (`target`: path and query, e.g. live_target()).
    // Then on_open, or on_close if it fails; `timeout` bounds connecting and
    // the handshake. Calling it again abandons the previous connection.
    void connect(const endpoint& ep, std::string target,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Queues a text message (dropped unless open).
    void send(std::string text);
    // Starts the closing handshake once the queued messages are written;
    // on_close follows when the peer answers. Later sends are dropped.
    void close(std::uint16_t code = 1000, std::string_view reason = {});

    bool is_open() const;
    // Messages queued and not yet written.
    std::size_t queued() const;

  private:
    struct impl;
    event_loop& loop_;
    std::shared_ptr<const handlers> handlers_;
    std::shared_ptr<impl> impl_;
};

}  // namespace belay::client
