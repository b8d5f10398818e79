// /api/session-recordings/ and /api/session-recordings/{id}/.

#include <fmt/format.h>

#include "belay/projections/json_views.hpp"
#include "rest.hpp"

namespace belay::transport {
namespace {

using engine::event_type;

// A recording belongs to a session the caller can see; 400 otherwise, as DRF
// answers an unknown primary key.
bool session_visible(call& c, const engine::recording_fields& f) {
    if (!f.session) return true;
    auto s = c.ctx.store.session(*f.session);
    if (s && c.may_see(s->user)) return true;
    c.reply_json(400,
                 fmt::format("{{\"session\":[\"Invalid pk \\\"{}\\\" - object does not exist.\"]}}",
                             f.session->to_string()));
    return false;
}

void list_recordings(call& c) {
    auto p = read_paging(c.req);
    auto found = c.ctx.store.recordings(c.owner_filter(), p.offset, p.limit);
    auto r = json_array(found.items);
    add_links(c, p, found.total, r);
    c.reply(std::move(r));
}

void reply_recording(const call_ptr& c, engine::entity_id id, int status) {
    auto v = c->ctx.store.recording(id);
    if (!v) return c->not_found();
    response r;
    r.status = status;
    r.body = projections::to_json(*v);
    if (status == 201)
        r.headers.emplace_back("Location", "/api/session-recordings/" + id.to_string() + "/");
    c->reply(std::move(r));
}

void create_recording(const call_ptr& c) {
    if (!has_json_body(*c)) return;
    auto fields =
        checked_body(*c, engine::validate_recording_body(c->req.body, engine::write_mode::create));
    if (!fields || !session_visible(*c, *fields)) return;
    auto id = engine::entity_id::generate();
    std::vector<engine::append_request> events;
    events.push_back(
        make_append(*c, id, event_type::recording_created, engine::to_payload(*fields)));
    append_then(c, std::move(events),
                [c, id](std::vector<engine::append_result>) { reply_recording(c, id, 201); });
}

void update_recording(const call_ptr& c, engine::write_mode mode) {
    if (!has_json_body(*c)) return;
    auto fields = checked_body(*c, engine::validate_recording_body(c->req.body, mode));
    if (!fields || !session_visible(*c, *fields)) return;
    auto id = *c->id;
    std::vector<engine::append_request> events;
    events.push_back(
        make_append(*c, id, event_type::recording_updated, engine::to_payload(*fields)));
    append_then(c, std::move(events),
                [c, id](std::vector<engine::append_result>) { reply_recording(c, id, 200); });
}

}  // namespace

void handle_recordings(const call_ptr& c) {
    if (c->req.method == "GET" || c->req.method == "HEAD") return list_recordings(*c);
    if (c->req.method == "POST") return create_recording(c);
    method_not_allowed(*c, "GET, POST, HEAD");
}

void handle_recording(const call_ptr& c) {
    auto v = c->ctx.store.recording(*c->id);
    if (!v || !c->may_see(v->user)) return c->not_found();
    const auto& m = c->req.method;
    if (m == "GET" || m == "HEAD") return c->reply_json(200, projections::to_json(*v));
    if (m == "PUT") return update_recording(c, engine::write_mode::replace);
    if (m == "PATCH") return update_recording(c, engine::write_mode::partial);
    if (m == "DELETE") return purge_then_no_content(c, {*c->id}, event_type::recording_deleted);
    method_not_allowed(*c, "GET, PUT, PATCH, DELETE, HEAD");
}

}  // namespace belay::transport
