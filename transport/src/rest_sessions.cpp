// /api/sessions/, /api/sessions/{id}/ and /api/sessions/{id}/events/.

#include <fmt/format.h>

#include "belay/engine/jsonl.hpp"
#include "belay/projections/json_views.hpp"
#include "rest.hpp"

namespace belay::transport {
namespace {

using engine::event_type;

// A query parameter that must be a positive integer.
std::optional<std::uint64_t> positive(const std::optional<std::string>& text) {
    auto n = text ? parse_unsigned(*text) : std::nullopt;
    if (n == 0u) return std::nullopt;
    return n;
}

void bad_param(call& c, std::string_view name, std::string_view message) {
    c.reply_json(400, fmt::format("{{\"{}\":[\"{}\"]}}", name, message));
}

void list_sessions(call& c) {
    projections::session_filter f;
    f.user = c.owner_filter();
    f.status = c.req.param("status");
    if (auto route = c.req.param("route")) {
        f.route = engine::entity_id::parse(*route);
        if (!f.route) return bad_param(c, "route", "Must be a valid UUID.");
    }
    auto p = read_paging(c.req);
    f.offset = p.offset;
    f.limit = p.limit;
    auto found = c.ctx.store.sessions(f);
    auto r = json_array(found.items);
    add_links(c, p, found.total, r);
    c.reply(std::move(r));
}

void create_session(const call_ptr& c) {
    if (!has_json_body(*c)) return;
    auto fields = checked_body(*c, engine::validate_session_body(
                                       c->req.body, engine::write_mode::create, engine::now_us()));
    if (!fields) return;
    fields->user = c->user.username;
    auto id = engine::entity_id::generate();
    std::vector<engine::append_request> events;
    events.push_back(make_append(*c, id, event_type::session_created, engine::to_payload(*fields)));
    append_then(c, std::move(events), [c, id](std::vector<engine::append_result>) {
        auto s = c->ctx.store.session(id);
        if (!s) return c->not_found();
        response r;
        r.status = 201;
        r.body = projections::to_json(*s);
        r.headers.emplace_back("Location", "/api/sessions/" + id.to_string() + "/");
        c->reply(std::move(r));
    });
}

// The session as of seq N, folded from its stream.
void session_at(const call_ptr& c, std::uint64_t at_seq) {
    c->ctx.run_blocking([c, at_seq] {
        projections::session_view v;
        auto cursor = c->ctx.log.read_stream(*c->id);
        engine::event e;
        for (;;) {
            auto r = cursor.next(e);
            if (!r) return c->reply(detail(500, "Reading the log failed: " + r.error().message()));
            if (!*r || e.seq.value > at_seq) break;
            projections::apply(v, e);
        }
        if (v.event_count == 0) return c->not_found();
        c->reply_json(200, projections::to_json(v));
    });
}

void update_session(const call_ptr& c, engine::write_mode mode) {
    if (!has_json_body(*c)) return;
    auto fields = checked_body(*c, engine::validate_session_body(c->req.body, mode, 0));
    if (!fields) return;
    std::vector<engine::append_request> events;
    auto climb = std::move(fields->climb_data);
    fields->climb_data.reset();
    if (fields->route || fields->start_time || fields->end_time || fields->status)
        events.push_back(
            make_append(*c, *c->id, event_type::session_updated, engine::to_payload(*fields)));
    if (climb)
        events.push_back(
            make_append(*c, *c->id, event_type::climb_updated, "{\"climb\":" + *climb + "}"));
    auto answer = [c](std::vector<engine::append_result>) {
        auto s = c->ctx.store.session(*c->id);
        if (!s) return c->not_found();
        c->reply_json(200, projections::to_json(*s));
    };
    if (events.empty()) return answer({});
    append_then(c, std::move(events), std::move(answer));
}

void delete_session(const call_ptr& c) {
    auto streams = c->ctx.store.recordings_of_session(*c->id);  // deleted with it
    streams.insert(streams.begin(), *c->id);
    purge_then_no_content(c, std::move(streams), event_type::session_deleted);
}

}  // namespace

void handle_sessions(const call_ptr& c) {
    if (c->req.method == "GET" || c->req.method == "HEAD") return list_sessions(*c);
    if (c->req.method == "POST") return create_session(c);
    method_not_allowed(*c, "GET, POST, HEAD");
}

void handle_session(const call_ptr& c) {
    auto s = c->ctx.store.session(*c->id);
    if (!s || !c->may_see(s->user)) return c->not_found();
    const auto& m = c->req.method;
    if (m == "GET" || m == "HEAD") {
        if (auto at = c->req.param("at_seq")) {
            auto n = positive(at);
            if (!n) return bad_param(*c, "at_seq", "A valid positive integer is required.");
            return session_at(c, *n);
        }
        return c->reply_json(200, projections::to_json(*s));
    }
    if (m == "PUT") return update_session(c, engine::write_mode::replace);
    if (m == "PATCH") return update_session(c, engine::write_mode::partial);
    if (m == "DELETE") return delete_session(c);
    method_not_allowed(*c, "GET, PUT, PATCH, DELETE, HEAD");
}

void handle_session_events(const call_ptr& c) {
    auto s = c->ctx.store.session(*c->id);
    if (!s || !c->may_see(s->user)) return c->not_found();
    if (c->req.method != "GET" && c->req.method != "HEAD")
        return method_not_allowed(*c, "GET, HEAD");
    std::uint64_t from = 1, limit = 100;
    if (auto p = c->req.param("from_seq"); p && !(from = positive(p).value_or(0)))
        return bad_param(*c, "from_seq", "A valid positive integer is required.");
    if (auto p = c->req.param("limit"); p && !(limit = positive(p).value_or(0)))
        return bad_param(*c, "limit", "A valid positive integer is required.");
    limit = std::min<std::uint64_t>(limit, 1000);
    c->ctx.run_blocking([c, from, limit] {
        auto cursor = c->ctx.log.read_stream(*c->id, engine::seq{from});
        engine::event e;
        response r;
        r.body = "[";
        std::uint64_t n = 0, last = 0;
        while (n < limit) {
            auto next = cursor.next(e);
            if (!next)
                return c->reply(detail(500, "Reading the log failed: " + next.error().message()));
            if (!*next) break;
            if (n++ > 0) r.body.push_back(',');
            engine::append_json_line(r.body, e);
            last = e.seq.value;
        }
        r.body.push_back(']');
        if (n == limit)
            r.headers.emplace_back(
                "Link", fmt::format("<http://{}{}?from_seq={}&limit={}>; rel=\"next\"",
                                    c->req.host.empty() ? "localhost" : c->req.host, c->req.path,
                                    last + 1, limit));
        c->reply(std::move(r));
    });
}

}  // namespace belay::transport
