// One HTTP/1.1 connection: read a request (headers under a timeout and a
// size limit, then the body under its own), answer it through the router,
// keep alive.

#include <chrono>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <boost/beast/websocket/rfc6455.hpp>

#include "beast_request.hpp"
#include "connection.hpp"
#include "websocket.hpp"

namespace belay::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Runs router.handle and resumes the coroutine on its own executor.
template <class Token>
auto async_handle(std::shared_ptr<shared_state> state, request req, Token&& token) {
    return asio::async_initiate<Token, void(response)>(
        [](auto handler, std::shared_ptr<shared_state> state, request req) {
            using held = std::shared_ptr<decltype(handler)>;
            context_bound<held> h{state->io,
                                  std::make_shared<decltype(handler)>(std::move(handler))};
            state->router.handle(std::move(req), [h = std::move(h)](response r) {
                auto ex = asio::get_associated_executor(*h.held);
                asio::post(ex, [h = h.held, r = std::move(r)]() mutable { (*h)(std::move(r)); });
            });
        },
        token, std::move(state), std::move(req));
}

http::response<http::string_body> to_message(response r,
                                             const http::request<http::string_body>& req,
                                             bool keep_alive) {
    http::response<http::string_body> m{static_cast<http::status>(r.status), req.version()};
    m.set(http::field::server, "belay");
    if (!r.content_type.empty()) m.set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers)
        m.set(name, value);
    m.keep_alive(keep_alive);
    if (req.method() == http::verb::head) {
        m.content_length(r.body.size());  // what a GET would send; no body
    } else {
        m.body() = std::move(r.body);
        m.prepare_payload();
    }
    return m;
}

// An answer to a request that could not be read whole: always closes.
http::response<http::string_body> refusal(int status, std::string_view message) {
    auto r = detail(status, message);
    http::response<http::string_body> m{static_cast<http::status>(status), 11};
    m.set(http::field::server, "belay");
    m.set(http::field::content_type, r.content_type);
    m.keep_alive(false);
    m.body() = std::move(r.body);
    m.prepare_payload();
    return m;
}

void access_log(const tcp::endpoint& peer, const http::request<http::string_body>& req, int status,
                std::size_t bytes, double ms) {
    std::string_view target(req.target().data(), req.target().size());
    fmt::print(stderr, "{} \"{} {}\" {} {}B {:.2f}ms\n", peer.address().to_string(),
               std::string_view(req.method_string().data(), req.method_string().size()),
               target.substr(0, target.find('?')), status, bytes, ms);
}

}  // namespace

asio::awaitable<void> serve_http(tcp::socket socket, std::shared_ptr<shared_state> state) {
    const auto& o = state->options;
    beast::tcp_stream stream(std::move(socket));
    // Bounded: Beast does not limit chunk-size lines or trailers, so a
    // chunked body's framing could otherwise grow this without end.
    beast::flat_buffer buffer(o.max_header_bytes + o.max_body_bytes + (64 << 10));
    boost::system::error_code ignored;
    auto peer = stream.socket().remote_endpoint(ignored);
    for (bool first = true; !state->stopping; first = false) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(o.max_header_bytes));
        parser.body_limit(o.max_body_bytes);
        if (!first && buffer.size() == 0) {
            // Between keep-alive requests: idle until the next one begins…
            stream.expires_after(o.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
            if (ec) break;
            buffer.commit(n);
        }
        // … then its head must arrive within the header timeout.
        stream.expires_after(o.header_timeout);
        auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
        if (ec == http::error::header_limit) {
            co_await http::async_write(stream, refusal(431, "Request header fields too large."),
                                       use_tuple);
            break;
        }
        // A declared Content-Length over the limit fails the header read:
        // refused before any of the body is read.
        if (ec == http::error::body_limit) {
            co_await http::async_write(stream, refusal(413, "Request body too large."), use_tuple);
            break;
        }
        if (ec) break;
        stream.expires_after(o.body_timeout);
        std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (ec == http::error::body_limit) {
            co_await http::async_write(stream, refusal(413, "Request body too large."), use_tuple);
            break;
        }
        if (ec) break;
        if (websocket::is_upgrade(parser.get())) {
            stream.expires_never();  // the WebSocket keeps its own timeouts
            co_await serve_websocket(std::move(stream), parser.release(), state);
            state->stats.connection_closed();
            co_return;
        }
        auto start = std::chrono::steady_clock::now();
        const auto& req = parser.get();
        ++state->in_flight;
        auto answer = co_await async_handle(state, to_request(req), asio::use_awaitable);
        --state->in_flight;
        bool keep_alive = req.keep_alive() && !state->stopping;
        auto status = answer.status;
        auto message = to_message(std::move(answer), req, keep_alive);
        auto bytes = message.body().size();
        stream.expires_after(o.body_timeout);
        std::tie(ec, n) = co_await http::async_write(stream, message, use_tuple);
        if (o.access_log)
            access_log(
                peer, req, status, bytes,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count());
        if (ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    state->stats.connection_closed();
}

}  // namespace belay::transport
