#pragma once
// The WebSocket endpoints' entry (private; includes Beast: only the files
// that serve connections include it).

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "connection.hpp"

namespace belay::transport {

// Serves a WebSocket upgrade request on `stream` (the live socket today);
// answers 404 for any other path. Returns when the connection is done.
boost::asio::awaitable<void> serve_websocket(
    boost::beast::tcp_stream stream,
    boost::beast::http::request<boost::beast::http::string_body> req,
    std::shared_ptr<shared_state> state);

}  // namespace belay::transport
