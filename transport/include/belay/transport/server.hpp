#pragma once
// The HTTP server: PROTOCOL.md's REST API, /healthz and /metrics, on Asio
// and Beast (which stay inside transport/src).
//
// Threads: `threads` I/O threads, each with its own connections; a
// small blocking pool runs the RocksDB reads some requests need; appends
// complete on the log's writer thread. start() and stop() are called from
// one controlling thread.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "belay/engine/event_log.hpp"
#include "belay/projections/state_store.hpp"

namespace belay::transport {

struct server_options {
    std::string address = "127.0.0.1";
    unsigned short port = 8000;  // 0: any free port (see server::port())
    unsigned threads = 2;
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_header_bytes = 16 << 10;
    std::chrono::milliseconds header_timeout{10'000};  // to receive a request's headers
    std::chrono::milliseconds body_timeout{30'000};    // to receive its body
    std::chrono::milliseconds idle_timeout{60'000};    // between keep-alive requests
    std::size_t max_connections = 10'000;
    bool access_log = false;  // one line per request on stderr (never a token)
    std::string web_dir;      // the viewer page served at / (empty: none)

    // Live sockets (/ws/session-live/{id}/). 0 turns a limit off.
    std::size_t max_message_bytes = 1 << 20;  // larger client messages: close 1009
    std::size_t outbox_bytes = 4 << 20;       // queued for one client before it reads from the log
    std::chrono::milliseconds lag_timeout{30'000};      // behind the live tail longer: close 4008
    std::chrono::milliseconds ws_idle_timeout{60'000};  // no traffic (pings included): closed
    std::size_t max_connections_per_user = 1'000;       // more live sockets: close 4429
    double messages_per_second = 5'000;                 // a client's sustained message rate …
    double message_burst = 10'000;  // … and burst; over it: an error, far over: close 1008
    std::vector<std::string> allowed_origins;  // browsers' Origin must be one of these (empty: any)
    // While the live fan-out is busy (over live_batch_above frames/s), frames
    // are gathered this long and each socket gets its batch at once (0:
    // never). A sender's own event then goes out with its ack.
    std::chrono::milliseconds live_batch{5};
    double live_batch_above = 20'000;  // 0: batch always
};

class server {
  public:
    server(server_options options, engine::event_log& log, projections::state_store& store);
    ~server();  // stop()
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds and starts serving. Throws std::runtime_error if it cannot bind.
    void start();
    // The bound port (after start()).
    unsigned short port() const;
    // Stops accepting, lets requests in flight finish for up to `grace`,
    // then closes every connection and joins the threads.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace belay::transport
