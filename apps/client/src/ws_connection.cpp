// The WebSocket client connection: Beast's websocket stream driven by
// completion handlers on the loop's thread. A read is always pending while
// open; writes go one at a time from a queue.

#include <deque>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "belay/client/ws_connection.hpp"
#include "loop_impl.hpp"

namespace belay::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

ws_close failure(boost::system::error_code ec) {
    ws_close c;
    c.error = ec;
    return c;
}

ws_close peer_close(const websocket::close_reason& why) {
    ws_close c;
    c.code = static_cast<std::uint16_t>(why.code);
    c.reason = std::string(why.reason.data(), why.reason.size());
    return c;
}

}  // namespace

std::string ws_close::describe() const {
    if (http_status != 0)
        return fmt::format("the server refused the WebSocket upgrade (HTTP {})", http_status);
    if (code != 0)
        return reason.empty() ? fmt::format("close {}", code)
                              : fmt::format("close {} ({})", code, reason);
    return error ? error.message() : std::string("closed");
}

struct ws_connection::impl : std::enable_shared_from_this<impl> {
    impl(asio::io_context& ioc, std::shared_ptr<const handlers> h)
        : resolver(ioc), ws(ioc), h(std::move(h)) {}

    void start(const endpoint& ep, std::string target_path, std::chrono::milliseconds limit);
    void on_resolve(boost::system::error_code ec, const tcp::resolver::results_type& found);
    void on_connect(boost::system::error_code ec);
    void on_handshake(boost::system::error_code ec);
    void read();
    void on_read(boost::system::error_code ec);
    void write();
    void on_write(boost::system::error_code ec);
    void close_when_written();
    void finish(ws_close c);
    void abandon();

    tcp::resolver resolver;
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
    websocket::response_type response;
    std::deque<std::string> outbox;
    std::shared_ptr<const handlers> h;
    std::string host, target;
    std::chrono::milliseconds timeout{0};
    boost::system::error_code write_error;
    websocket::close_reason close_with;
    bool open = false, writing = false, finished = false, detached = false;
    bool closing = false, close_sent = false;
};

void ws_connection::impl::start(const endpoint& ep, std::string target_path,
                                std::chrono::milliseconds limit) {
    host = ep.host_header();
    target = std::move(target_path);
    timeout = limit;
    resolver.async_resolve(ep.host, ep.port,
                           [self = shared_from_this()](boost::system::error_code ec,
                                                       tcp::resolver::results_type found) {
                               self->on_resolve(ec, found);
                           });
}

void ws_connection::impl::on_resolve(boost::system::error_code ec,
                                     const tcp::resolver::results_type& found) {
    if (detached) return;
    if (ec) return finish(failure(ec));
    beast::get_lowest_layer(ws).expires_after(timeout);
    beast::get_lowest_layer(ws).async_connect(
        found, [self = shared_from_this()](boost::system::error_code e, const tcp::endpoint&) {
            self->on_connect(e);
        });
}

void ws_connection::impl::on_connect(boost::system::error_code ec) {
    if (detached) return;
    if (ec) return finish(failure(ec));
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true), ignored);
    beast::get_lowest_layer(ws).expires_never();  // the websocket timeouts take over
    websocket::stream_base::timeout opt{};
    opt.handshake_timeout = timeout;
    opt.idle_timeout = websocket::stream_base::none();
    opt.keep_alive_pings = false;
    ws.set_option(opt);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::request_type& req) { req.set(http::field::user_agent, "belay-client"); }));
    ws.read_message_max(std::uint64_t{64} << 20);
    ws.async_handshake(
        response, host, target,
        [self = shared_from_this()](boost::system::error_code e) { self->on_handshake(e); });
}

void ws_connection::impl::on_handshake(boost::system::error_code ec) {
    if (detached) return;
    if (ec) {
        auto c = failure(ec);
        if (ec == websocket::error::upgrade_declined)
            c.http_status = static_cast<int>(response.result_int());
        return finish(std::move(c));
    }
    open = true;
    read();
    auto keep = h;
    if (keep->on_open) keep->on_open();
}

void ws_connection::impl::read() {
    ws.async_read(buffer, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        self->on_read(ec);
    });
}

void ws_connection::impl::on_read(boost::system::error_code ec) {
    if (detached || finished) return;
    if (ec == websocket::error::closed) return finish(peer_close(ws.reason()));
    // Our close aborts the pending read; its own completion reports the end.
    if (ec == asio::error::operation_aborted && close_sent) return;
    if (ec) return finish(failure(write_error ? write_error : ec));
    const auto data = buffer.data();
    auto keep = h;
    if (keep->on_message)
        keep->on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer.consume(buffer.size());
    if (!detached && !finished) read();
}

void ws_connection::impl::write() {
    writing = true;
    ws.text(true);
    ws.async_write(asio::buffer(outbox.front()),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       self->on_write(ec);
                   });
}

void ws_connection::impl::on_write(boost::system::error_code ec) {
    writing = false;
    if (detached || finished) return;
    if (ec) {
        // The pending read fails next and reports it.
        write_error = ec;
        beast::error_code ignored;
        beast::get_lowest_layer(ws).socket().close(ignored);
        return;
    }
    outbox.pop_front();
    if (!outbox.empty()) return write();
    close_when_written();
}

void ws_connection::impl::close_when_written() {
    if (!closing || close_sent || writing || !outbox.empty() || finished) return;
    close_sent = true;
    ws.async_close(close_with, [self = shared_from_this()](boost::system::error_code ec) {
        if (self->detached) return;
        if (ec) return self->finish(failure(ec));
        self->finish(peer_close(self->ws.reason()));
    });
}

void ws_connection::impl::finish(ws_close c) {
    if (finished) return;
    finished = true;
    open = false;
    outbox.clear();
    auto keep = h;
    if (!detached && keep->on_close) keep->on_close(c);
}

void ws_connection::impl::abandon() {
    detached = true;
    open = false;
    beast::error_code ignored;
    resolver.cancel();
    beast::get_lowest_layer(ws).socket().close(ignored);
}

ws_connection::ws_connection(event_loop& loop, handlers h)
    : loop_(loop), handlers_(std::make_shared<const handlers>(std::move(h))) {}

ws_connection::~ws_connection() {
    if (impl_) impl_->abandon();
}

void ws_connection::connect(const endpoint& ep, std::string target,
                            std::chrono::milliseconds timeout) {
    if (impl_) impl_->abandon();
    impl_ = std::make_shared<impl>(loop_.internals().ioc, handlers_);
    impl_->start(ep, std::move(target), timeout);
}

void ws_connection::send(std::string text) {
    if (!impl_ || !impl_->open || impl_->closing) return;
    impl_->outbox.push_back(std::move(text));
    if (!impl_->writing) impl_->write();
}

void ws_connection::close(std::uint16_t code, std::string_view reason) {
    if (!impl_ || !impl_->open || impl_->closing) return;
    impl_->closing = true;
    impl_->close_with = websocket::close_reason(
        static_cast<websocket::close_code>(code),
        beast::string_view(reason.data(), std::min<std::size_t>(reason.size(), 123)));
    impl_->close_when_written();
}

bool ws_connection::is_open() const {
    return impl_ && impl_->open && !impl_->closing;
}

std::size_t ws_connection::queued() const {
    return impl_ ? impl_->outbox.size() : 0;
}

}  // namespace belay::client
