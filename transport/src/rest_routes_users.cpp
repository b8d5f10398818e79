// /api/routes/, /api/routes/{id}/, /api/users/ and /api/users/me/.

#include "belay/engine/json_text.hpp"
#include "belay/projections/tokens.hpp"
#include "rest.hpp"

namespace belay::transport {
namespace {

using engine::event_type;

void create_route(const call_ptr& c) {
    if (!has_json_body(*c)) return;
    auto fields =
        checked_body(*c, engine::validate_route_body(c->req.body, engine::write_mode::create));
    if (!fields) return;
    auto id = engine::entity_id::generate();
    std::vector<engine::append_request> events;
    events.push_back(make_append(*c, id, event_type::route_created, engine::to_payload(*fields)));
    append_then(c, std::move(events), [c, id](std::vector<engine::append_result>) {
        auto v = c->ctx.store.route(id);
        if (!v) return c->not_found();
        response r;
        r.status = 201;
        r.body = projections::to_json(*v);
        r.headers.emplace_back("Location", "/api/routes/" + id.to_string() + "/");
        c->reply(std::move(r));
    });
}

void create_user(const call_ptr& c) {
    if (!c->admin())
        return c->reply(detail(403, "You do not have permission to perform this action."));
    if (!has_json_body(*c)) return;
    auto fields =
        checked_body(*c, engine::validate_user_body(c->req.body, engine::write_mode::create));
    if (!fields) return;
    auto token = projections::generate_token();
    fields->token_sha256 = projections::token_hash(token);
    auto request = make_append(*c, projections::user_stream(*fields->username),
                               event_type::user_created, engine::to_payload(*fields));
    request.client_id = "user_created";  // a second creation of the name is a duplicate
    std::vector<engine::append_request> events;
    events.push_back(std::move(request));
    append_then(c, std::move(events),
                [c, token, fields = *fields](std::vector<engine::append_result> r) {
                    if (r.front().duplicate)
                        return c->reply_json(
                            400, "{\"username\":[\"A user with that username already exists.\"]}");
                    std::string body = "{\"username\":";
                    engine::append_json_string(body, *fields.username);
                    body += ",\"token\":\"" + token + "\",\"is_admin\":";
                    body += fields.is_admin.value_or(false) ? "true}" : "false}";
                    c->reply_json(201, std::move(body));
                });
}

}  // namespace

void handle_routes(const call_ptr& c) {
    if (c->req.method == "GET" || c->req.method == "HEAD") {
        auto p = read_paging(c->req);
        auto found = c->ctx.store.routes(p.offset, p.limit);
        auto r = json_array(found.items);
        add_links(*c, p, found.total, r);
        return c->reply(std::move(r));
    }
    if (c->req.method == "POST") return create_route(c);
    method_not_allowed(*c, "GET, POST, HEAD");
}

void handle_route(const call_ptr& c) {
    auto v = c->ctx.store.route(*c->id);
    if (!v) return c->not_found();
    if (c->req.method != "GET" && c->req.method != "HEAD")
        return method_not_allowed(*c, "GET, HEAD");
    c->reply_json(200, projections::to_json(*v));
}

void handle_users(const call_ptr& c) {
    if (c->req.method == "POST") return create_user(c);
    method_not_allowed(*c, "POST");
}

void handle_users_me(const call_ptr& c) {
    if (c->req.method != "GET" && c->req.method != "HEAD")
        return method_not_allowed(*c, "GET, HEAD");
    c->reply_json(200, projections::to_json(c->user));
}

}  // namespace belay::transport
