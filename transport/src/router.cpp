#include <chrono>

#include <fmt/format.h>

#include "belay/engine/json_text.hpp"
#include "belay/projections/tokens.hpp"
#include "rest.hpp"

namespace belay::transport {
namespace {

// Splits /api/sessions/ID/events/ into its segments (trailing slash optional).
std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash);
    }
    return out;
}

// The token of an "Authorization: Token <key>" (or Bearer) header.
std::optional<std::string_view> token_of(std::string_view header) {
    for (std::string_view scheme : {"Token ", "Bearer "})
        if (header.size() > scheme.size() && header.substr(0, scheme.size()) == scheme)
            return header.substr(scheme.size());
    return std::nullopt;
}

struct route_entry {
    std::vector<std::string_view> pattern;  // "{id}" matches a UUID segment
    const char* name;
    void (*handler)(const call_ptr&);
};

const std::vector<route_entry>& routes() {
    static const std::vector<route_entry> table = {
        {{"api", "sessions"}, "/api/sessions/", handle_sessions},
        {{"api", "sessions", "{id}"}, "/api/sessions/{id}/", handle_session},
        {{"api", "sessions", "{id}", "events"},
         "/api/sessions/{id}/events/",
         handle_session_events},
        {{"api", "session-recordings"}, "/api/session-recordings/", handle_recordings},
        {{"api", "session-recordings", "{id}"}, "/api/session-recordings/{id}/", handle_recording},
        {{"api", "routes"}, "/api/routes/", handle_routes},
        {{"api", "routes", "{id}"}, "/api/routes/{id}/", handle_route},
        {{"api", "users"}, "/api/users/", handle_users},
        {{"api", "users", "me"}, "/api/users/me/", handle_users_me},
    };
    return table;
}

// Finds the route; a segment where {id} stands that is not a UUID is no match.
const route_entry* match(const std::vector<std::string_view>& segs,
                         std::optional<engine::entity_id>& id) {
    for (auto& r : routes()) {
        if (r.pattern.size() != segs.size()) continue;
        bool ok = true;
        for (std::size_t i = 0; i < segs.size() && ok; ++i) {
            if (r.pattern[i] != "{id}") {
                ok = r.pattern[i] == segs[i];
            } else {
                id = engine::entity_id::parse(segs[i]);
                ok = id.has_value();
            }
        }
        if (ok) return &r;
    }
    return nullptr;
}

}  // namespace

std::optional<projections::user_view> authenticate(const projections::state_store& store,
                                                   std::string_view authorization) {
    auto token = token_of(authorization);
    if (!token) return std::nullopt;
    auto hash = projections::token_hash(*token);
    auto user = store.user_by_token_hash(hash);
    if (!user || !projections::constant_time_equal(user->token_sha256, hash)) return std::nullopt;
    return user;
}

std::optional<std::string> call::owner_filter() const {
    if (admin()) return std::nullopt;
    return user.username;
}

void call::reply(response r) {
    respond(std::move(r));
}

void call::reply_json(int status, std::string body) {
    response r;
    r.status = status;
    r.body = std::move(body);
    respond(std::move(r));
}

void call::not_found() {
    respond(detail(404, "Not found."));
}

void method_not_allowed(call& c, std::string_view allowed) {
    auto r = detail(405, fmt::format("Method \"{}\" not allowed.", c.req.method));
    r.headers.emplace_back("Allow", std::string(allowed));
    c.reply(std::move(r));
}

response router::health() const {
    auto writes = ctx_.log.write_health();
    response r;
    r.status = writes ? 503 : 200;
    r.body = fmt::format("{{\"status\":\"{}\",\"log\":{{\"last_position\":{},\"writes\":",
                         writes ? "degraded" : "ok", ctx_.log.last_position().value);
    engine::append_json_string(r.body, writes ? "failed: " + writes.message() : "ok");
    r.body += fmt::format("}},\"projections\":{{\"position\":{},\"sessions\":{}}}}}",
                          ctx_.store.position().value, ctx_.store.session_count());
    return r;
}

response router::metrics_text() const {
    response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    ctx_.stats.render(r.body);
    r.body += fmt::format(
        "# HELP belay_log_last_position The log's last committed position.\n"
        "# TYPE belay_log_last_position gauge\nbelay_log_last_position {}\n"
        "# HELP belay_log_bytes Bytes the log takes (tables, WAL, memtables).\n"
        "# TYPE belay_log_bytes gauge\nbelay_log_bytes {}\n"
        "# HELP belay_log_writable 1 while the log accepts writes.\n"
        "# TYPE belay_log_writable gauge\nbelay_log_writable {}\n"
        "# HELP belay_sessions Sessions in the projections.\n"
        "# TYPE belay_sessions gauge\nbelay_sessions {}\n"
        "# HELP belay_projection_skipped_events_total Events the projections could not fold.\n"
        "# TYPE belay_projection_skipped_events_total counter\n"
        "belay_projection_skipped_events_total {}\n",
        ctx_.log.last_position().value, ctx_.log.storage_bytes(), ctx_.log.write_health() ? 0 : 1,
        ctx_.store.session_count(), ctx_.store.skipped_events());
    return r;
}

void router::handle(request req, respond_fn respond) {
    auto segs = segments(req.path);
    std::optional<engine::entity_id> id;
    const route_entry* r = match(segs, id);
    std::string route = r                                                    ? r->name
                        : (req.path == "/healthz" || req.path == "/metrics") ? req.path
                        : is_static_path(req.path)                           ? "web"
                                                                             : "other";
    auto method = req.method;
    auto counted = [this, route, method, respond = std::move(respond)](response resp) {
        ctx_.stats.request_done(route, method, resp.status);
        respond(std::move(resp));
    };
    if (req.path == "/healthz" || req.path == "/metrics") {
        if (req.method != "GET" && req.method != "HEAD") {
            auto resp = detail(405, fmt::format("Method \"{}\" not allowed.", req.method));
            resp.headers.emplace_back("Allow", "GET, HEAD");
            return counted(std::move(resp));
        }
        return counted(req.path == "/healthz" ? health() : metrics_text());
    }
    if (!r && is_static_path(req.path)) {
        if (req.method != "GET" && req.method != "HEAD") {
            auto resp = detail(405, fmt::format("Method \"{}\" not allowed.", req.method));
            resp.headers.emplace_back("Allow", "GET, HEAD");
            return counted(std::move(resp));
        }
        return ctx_.run_blocking(
            [this, counted = std::move(counted), path = std::move(req.path)]() mutable {
                counted(static_file(ctx_.web_dir, path));
            });
    }
    if (!r) return counted(detail(404, "Not found."));

    if (req.authorization.empty() || !token_of(req.authorization))
        return counted([] {
            auto resp = detail(401, "Authentication credentials were not provided.");
            resp.headers.emplace_back("WWW-Authenticate", "Token");
            return resp;
        }());
    auto user = authenticate(ctx_.store, req.authorization);
    if (!user) {
        auto resp = detail(401, "Invalid token.");
        resp.headers.emplace_back("WWW-Authenticate", "Token");
        return counted(std::move(resp));
    }
    auto c = std::make_shared<call>(
        call{ctx_, std::move(req), std::move(counted), route, std::move(*user), id});
    r->handler(c);
}

}  // namespace belay::transport
