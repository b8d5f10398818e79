// The WebSocket upgrade: origin, auth, the query, the per-user cap, then the
// endpoint (live or replay).

#include <cstdlib>
#include <variant>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "belay/engine/json_text.hpp"
#include "belay/projections/json_views.hpp"
#include "websocket.hpp"
#include "ws_common.hpp"

namespace belay::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The socket a path names: /ws/session-live/{id}/ or /ws/session/{id}/
// (trailing slash optional).
struct ws_target {
    bool replay = false;
    engine::entity_id session;
};
std::optional<ws_target> target_of(std::string_view path) {
    for (bool replay : {false, true}) {
        std::string_view prefix = replay ? "/ws/session/" : "/ws/session-live/";
        if (!path.starts_with(prefix)) continue;
        path.remove_prefix(prefix.size());
        if (path.ends_with('/')) path.remove_suffix(1);
        auto id = engine::entity_id::parse(path);
        if (!id) return std::nullopt;
        return ws_target{replay, *id};
    }
    return std::nullopt;
}

std::optional<bool> parse_flag(std::string_view text) {
    if (text == "1" || text == "true" || text == "yes") return true;
    if (text == "0" || text == "false" || text == "no" || text.empty()) return false;
    return std::nullopt;
}

// The replay query, or the reason it is refused.
std::variant<replay_params, std::string> replay_query(const request& r) {
    replay_params p;
    if (auto speed = r.param("speed")) {
        char* end = nullptr;
        p.speed = std::strtod(speed->c_str(), &end);
        if (speed->empty() || *end != '\0' || !(p.speed == 0 || (p.speed >= 0.1 && p.speed <= 64)))
            return "speed must be 0 or from 0.1 to 64";
    }
    if (auto from = r.param("from_seq")) {
        p.from_seq = parse_unsigned(*from);
        if (!p.from_seq) return "from_seq must be a non-negative integer";
    }
    if (auto gap = r.param("max_gap_ms")) {
        auto ms = parse_unsigned(*gap);
        if (!ms || *ms > (std::uint64_t{1} << 40))
            return "max_gap_ms must be a non-negative integer";
        p.max_gap_us = static_cast<std::int64_t>(*ms) * 1000;
    }
    for (auto [name, flag] : {std::pair{"paused", &p.paused}, std::pair{"follow", &p.follow}}) {
        auto text = r.param(name);
        if (!text) continue;
        auto v = parse_flag(*text);
        if (!v) return std::string(name) + " must be 1 or 0";
        *flag = *v;
    }
    return p;
}

// Frees a user's connection slot when the connection ends.
struct connection_slot {
    live_hub& hub;
    std::string user;
    ~connection_slot() { hub.remove_connection(user); }
};

}  // namespace

std::string error_message(std::string_view code, std::string_view message) {
    std::string out = "{\"type\":\"error\",\"code\":";
    engine::append_json_string(out, code);
    out += ",\"message\":";
    engine::append_json_string(out, message);
    return out + "}";
}

std::string not_found_message(engine::entity_id session) {
    return error_message("session_not_found", "Session " + session.to_string() + " not found");
}

std::string session_state_message(const projections::session_view& v) {
    std::string out =
        fmt::format(R"({{"type":"session_state","session_id":"{}","seq":{},"session":)",
                    v.id.to_string(), v.last_seq);
    projections::append_json(out, v);
    return out + "}";
}

rate_limiter::verdict rate_limiter::take() {
    if (rate_ <= 0) return verdict::ok;
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    refused_ = std::max(0.0, refused_ - elapsed * rate_);
    if (tokens_ >= 1) {
        tokens_ -= 1;
        return verdict::ok;
    }
    refused_ += 1;
    return refused_ > burst_ ? verdict::close : verdict::refuse;
}

asio::awaitable<void> serve_websocket(beast::tcp_stream stream,
                                      http::request<http::string_body> req,
                                      std::shared_ptr<shared_state> state) {
    const auto& o = state->options;
    request r;
    parse_target(std::string_view(req.target().data(), req.target().size()), r);
    auto target = target_of(r.path);
    auto refuse = [&](http::status status, std::string body) {
        http::response<http::string_body> res{status, req.version()};
        res.set(http::field::server, "belay");
        res.set(http::field::content_type, "application/json");
        res.keep_alive(false);
        res.body() = std::move(body);
        res.prepare_payload();
        return res;
    };
    if (!target) {
        co_await http::async_write(
            stream, refuse(http::status::not_found, R"({"detail":"Not found."})"), use_tuple);
        co_return;
    }
    auto origin = req.find(http::field::origin);
    if (!o.allowed_origins.empty() && origin != req.end() &&
        std::find(o.allowed_origins.begin(), o.allowed_origins.end(), origin->value()) ==
            o.allowed_origins.end()) {
        co_await http::async_write(
            stream, refuse(http::status::forbidden, R"({"detail":"Origin not allowed."})"),
            use_tuple);
        co_return;
    }
    auto auth = req.find(http::field::authorization);
    auto token = r.param("token");
    auto user =
        authenticate(state->router.context().store,
                     token ? "Token " + *token
                           : (auth == req.end() ? std::string{} : std::string(auth->value())));
    auto after_text = r.param("after_seq");
    auto after_seq = after_text ? parse_unsigned(*after_text) : std::nullopt;
    std::string bad_query;
    if (after_text && !after_seq) bad_query = "after_seq must be a non-negative integer";
    replay_params replay;
    if (target->replay) {
        auto q = replay_query(r);
        if (auto* why = std::get_if<std::string>(&q))
            bad_query = std::move(*why);
        else
            replay = std::get<replay_params>(q);
    }

    ws_stream ws(std::move(stream));
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout =
        o.ws_idle_timeout.count() > 0
            ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(o.ws_idle_timeout)
            : websocket::stream_base::none();
    timeouts.keep_alive_pings = true;
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "belay"); }));
    ws.read_message_max(o.max_message_bytes);
    auto [ec] = co_await ws.async_accept(req, use_tuple);
    if (ec) co_return;
    if (!user) {
        co_await ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(4401),
                                                        "authentication required"),
                                use_tuple);
        co_return;
    }
    if (!bad_query.empty()) {
        co_await ws.async_close(
            websocket::close_reason(websocket::close_code::policy_error, bad_query), use_tuple);
        co_return;
    }
    if (!state->hub->add_connection(user->username, o.max_connections_per_user)) {
        co_await ws.async_close(websocket::close_reason(static_cast<websocket::close_code>(4429),
                                                        "too many connections"),
                                use_tuple);
        co_return;
    }
    connection_slot slot{*state->hub, user->username};
    if (target->replay)
        co_await serve_replay(std::move(ws), state, std::move(*user), target->session, replay);
    else
        co_await serve_live(std::move(ws), state, std::move(*user), target->session, after_seq);
}

}  // namespace belay::transport
