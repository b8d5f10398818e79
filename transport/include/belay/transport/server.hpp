#pragma once
// The HTTP server: PROTOCOL.md's REST API, /healthz and /metrics, on Asio
// and Beast (which stay inside transport/src).
//
// Threads: `threads` I/O threads run every connection (one strand each); a
// small blocking pool runs the RocksDB reads some requests need; appends
// complete on the log's writer thread. start() and stop() are called from
// one controlling thread.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

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
