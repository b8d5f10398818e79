#pragma once
// The REST API (private to transport): routing, auth and the handlers of
// PROTOCOL.md's table. Plain C++ over http_types.hpp: no Beast here.
//
// Threads: handle() runs on an I/O thread and never blocks; appends complete
// on the log's writer thread and reads of the log run on the blocking pool,
// so `respond` may be called on any thread, exactly once.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "belay/engine/event_log.hpp"
#include "belay/engine/rest_validate.hpp"
#include "belay/projections/json_views.hpp"
#include "belay/projections/state_store.hpp"
#include "http_types.hpp"
#include "metrics.hpp"

namespace belay::transport {

struct rest_context {
    engine::event_log& log;
    projections::state_store& store;
    transport::metrics& stats;
    // Runs a job that may block (RocksDB reads) off the I/O threads.
    std::function<void(std::function<void()>)> run_blocking;
    std::string web_dir;  // the viewer page's files (empty: none served)
};

// One request in flight, shared by the steps that answer it.
struct call {
    rest_context& ctx;
    request req;
    respond_fn respond;
    std::string route;  // the matched pattern, e.g. /api/sessions/{id}/
    projections::user_view user;
    std::optional<engine::entity_id> id;  // the {id} of the path, if any

    bool admin() const { return user.is_admin; }
    // The user a listing is limited to: nullopt for admins (everyone's).
    std::optional<std::string> owner_filter() const;
    bool may_see(const std::string& owner) const { return admin() || owner == user.username; }
    void reply(response r);
    void reply_json(int status, std::string body);
    void not_found();
};
using call_ptr = std::shared_ptr<call>;

// Appends atomically; `then` runs on the writer thread with the outcome.
// Failures are answered here (503 while the log refuses writes, 500
// otherwise) and `then` is not called.
void append_then(const call_ptr& c, std::vector<engine::append_request> requests,
                 std::function<void(std::vector<engine::append_result>)> then);
engine::append_request make_append(const call& c, engine::entity_id stream, engine::event_type type,
                                   std::string payload);

// True if the request carries a JSON body (an empty one reads as {}, as in
// DRF); otherwise answers 411 or 415.
bool has_json_body(call& c);

// The validated body, or nullopt after answering 400 with the field errors.
template <class Validated>
std::optional<Validated> checked_body(call& c, engine::body_result<Validated> v) {
    if (auto* e = std::get_if<engine::body_error>(&v)) {
        c.reply_json(400, engine::to_json(*e));
        return std::nullopt;
    }
    return std::move(std::get<Validated>(v));
}

// Purges `streams` with a tombstone naming streams[0] in the deletions
// stream (off the I/O threads), then answers 204.
void purge_then_no_content(const call_ptr& c, std::vector<engine::entity_id> streams,
                           engine::event_type tombstone);

// [view, view, …] as a 200 response.
template <class View>
response json_array(const std::vector<View>& views) {
    response r;
    r.body = "[";
    for (auto& v : views) {
        if (r.body.size() > 1) r.body.push_back(',');
        projections::append_json(r.body, v);
    }
    r.body.push_back(']');
    return r;
}

// limit/offset paging: reads them and sets the Link header on `r`.
struct paging {
    std::size_t offset = 0;
    std::size_t limit = SIZE_MAX;
};
paging read_paging(const request& req);
void add_links(const call& c, const paging& p, std::size_t total, response& r);

void handle_sessions(const call_ptr& c);        // /api/sessions/
void handle_session(const call_ptr& c);         // /api/sessions/{id}/
void handle_session_events(const call_ptr& c);  // /api/sessions/{id}/events/
void handle_recordings(const call_ptr& c);      // /api/session-recordings/
void handle_recording(const call_ptr& c);       // /api/session-recordings/{id}/
void handle_routes(const call_ptr& c);          // /api/routes/
void handle_route(const call_ptr& c);           // /api/routes/{id}/
void handle_users(const call_ptr& c);           // /api/users/
void handle_users_me(const call_ptr& c);        // /api/users/me/

// The user an "Authorization: Token <key>" (or Bearer) header names, if the
// key is valid.
std::optional<projections::user_view> authenticate(const projections::state_store& store,
                                                   std::string_view authorization);

// The viewer page's files: any path outside /api/, /ws/, /healthz and
// /metrics is one; static_file answers it from `dir` (404 if absent).
bool is_static_path(std::string_view path);
response static_file(const std::string& dir, std::string_view path);

// Answers 405 naming the allowed methods.
void method_not_allowed(call& c, std::string_view allowed);

class router {
  public:
    explicit router(rest_context ctx) : ctx_(std::move(ctx)) {}
    // Answers one request through `respond`.
    void handle(request req, respond_fn respond);
    rest_context& context() { return ctx_; }

  private:
    response health() const;
    response metrics_text() const;
    rest_context ctx_;
};

}  // namespace belay::transport
