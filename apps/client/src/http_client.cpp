// The blocking REST client: Beast's asynchronous operations on a private
// io_context, run to completion one at a time, so every step has a timeout.

#include <cctype>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "belay/client/http_client.hpp"

namespace belay::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Starts an operation with `start(handler)` and runs the context until it
// completes; returns its error code.
template <class Start>
boost::system::error_code run_one_operation(asio::io_context& ioc, Start&& start) {
    boost::system::error_code result = asio::error::would_block;
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
}

}  // namespace

std::string http_response::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

struct http_client::impl {
    impl(std::string token, std::chrono::milliseconds timeout)
        : token(std::move(token)), timeout(timeout) {}

    boost::system::error_code connect(const endpoint& ep);
    // `nothing_back`: it failed before any byte of a response came.
    boost::system::result<http_response> exchange(http::request<http::string_body>& req,
                                                  bool& nothing_back);

    asio::io_context ioc{1};
    beast::tcp_stream stream{ioc};
    beast::flat_buffer buffer;
    std::string token;
    std::chrono::milliseconds timeout;
    bool connected = false;
};

boost::system::error_code http_client::impl::connect(const endpoint& ep) {
    beast::error_code ignored;
    stream.socket().close(ignored);
    buffer.clear();
    connected = false;
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type found;
    auto ec = run_one_operation(ioc, [&](auto handler) {
        resolver.async_resolve(
            ep.host, ep.port,
            [&found, handler](boost::system::error_code e, tcp::resolver::results_type r) mutable {
                found = std::move(r);
                handler(e);
            });
    });
    if (ec) return ec;
    stream.expires_after(timeout);
    ec = run_one_operation(ioc, [&](auto handler) { stream.async_connect(found, handler); });
    if (ec) return ec;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    connected = true;
    return {};
}

boost::system::result<http_response> http_client::impl::exchange(
    http::request<http::string_body>& req, bool& nothing_back) {
    nothing_back = true;
    stream.expires_after(timeout);
    auto ec =
        run_one_operation(ioc, [&](auto handler) { http::async_write(stream, req, handler); });
    if (ec) return ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{256} << 20);
    if (req.method() == http::verb::head) parser.skip(true);
    ec = run_one_operation(
        ioc, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
    if (ec) {
        nothing_back = !parser.got_some();
        return ec;
    }
    auto& res = parser.get();
    http_response out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (auto& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(field.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) connected = false;
    return out;
}

http_client::http_client(endpoint ep, std::string token, std::chrono::milliseconds timeout)
    : ep_(std::move(ep)), impl_(std::make_unique<impl>(std::move(token), timeout)) {}

http_client::~http_client() = default;

boost::system::result<http_response> http_client::request(std::string_view method,
                                                          std::string_view target,
                                                          std::string_view json_body) {
    auto verb = http::string_to_verb(method);
    if (verb == http::verb::unknown) return make_error_code(asio::error::invalid_argument);
    http::request<http::string_body> req{verb, ep_.prefix + std::string(target), 11};
    req.set(http::field::host, ep_.host_header());
    req.set(http::field::user_agent, "belay-client");
    req.set(http::field::accept, "application/json");
    if (!impl_->token.empty()) req.set(http::field::authorization, "Token " + impl_->token);
    if (!json_body.empty() || verb == http::verb::post || verb == http::verb::put ||
        verb == http::verb::patch) {
        req.set(http::field::content_type, "application/json");
        req.body() = std::string(json_body);
    }
    req.keep_alive(true);
    req.prepare_payload();
    for (int attempt = 0;; ++attempt) {
        const bool reused = impl_->connected;
        if (!reused) {
            if (auto ec = impl_->connect(ep_)) return ec;
        }
        bool nothing_back = false;
        auto r = impl_->exchange(req, nothing_back);
        if (r) return r;
        impl_->connected = false;
        // A kept-alive connection the server closed meanwhile: once more.
        if (!reused || attempt > 0 || !nothing_back || r.error() == beast::error::timeout) return r;
    }
}

}  // namespace belay::client
