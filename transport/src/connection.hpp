#pragma once
// What every connection shares (private to transport, Asio-aware but free of
// Beast's headers).

#include <atomic>
#include <memory>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "belay/transport/server.hpp"
#include "io_pool.hpp"
#include "live_hub.hpp"
#include "metrics.hpp"
#include "rest.hpp"

namespace belay::transport {

struct shared_state {
    // A constructor rather than an aggregate: make_shared's parenthesised
    // aggregate initialisation is C++20 that clang 14 lacks.
    shared_state(server_options o, transport::router r, transport::metrics& m)
        : options(std::move(o)), router(std::move(r)), stats(m) {}

    server_options options;
    transport::router router;
    transport::metrics& stats;
    std::atomic<int> in_flight{0};  // requests being answered
    std::atomic<bool> stopping{false};
    // Keeps the I/O contexts alive for completions that arrive late.
    std::shared_ptr<io_pool> io;
    std::shared_ptr<live_hub> hub;
};

// What a completion from another thread (the log's writer) holds until it
// posts back: `held` (a connection, a coroutine's handler: things owning
// sockets of a context) and the contexts themselves. Members are destroyed
// in reverse order, so `held` goes first and a socket never outlives its
// context, even when this is the contexts' last owner. (A lambda capturing
// both gives no such order.)
template <class T>
struct context_bound {
    std::shared_ptr<io_pool> io;
    T held;
};

// Serves one HTTP connection until it closes.
boost::asio::awaitable<void> serve_http(boost::asio::ip::tcp::socket socket,
                                        std::shared_ptr<shared_state> state);

}  // namespace belay::transport
