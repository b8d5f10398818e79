#include <chrono>

#include <fmt/format.h>

#include "rest.hpp"

namespace belay::transport {
namespace {

// The request's URL with limit and offset replaced.
std::string page_url(const call& c, std::size_t limit, std::size_t offset) {
    std::string url =
        fmt::format("http://{}{}?", c.req.host.empty() ? "localhost" : c.req.host, c.req.path);
    for (auto& [k, v] : c.req.query)
        if (k != "limit" && k != "offset") url += fmt::format("{}={}&", k, v);
    return url + fmt::format("limit={}&offset={}", limit, offset);
}

}  // namespace

engine::append_request make_append(const call& c, engine::entity_id stream, engine::event_type type,
                                   std::string payload) {
    engine::append_request r;
    r.stream = stream;
    r.type = type;
    r.author = c.user.username;
    r.payload = std::move(payload);
    return r;
}

void append_then(const call_ptr& c, std::vector<engine::append_request> requests,
                 std::function<void(std::vector<engine::append_result>)> then) {
    auto start = std::chrono::steady_clock::now();
    auto n = requests.size();
    c->ctx.log.append_async(
        std::move(requests), [c, n, start, then = std::move(then)](
                                 engine::result<std::vector<engine::append_result>> r) {
            if (!r) {
                c->ctx.stats.append_failed();
                if (r.error() == engine::errc::stream_purged) return c->not_found();
                bool refusing = r.error() == engine::errc::log_failed ||
                                r.error() == engine::errc::io_error ||
                                r.error() == engine::errc::closed;
                return c->reply(detail(
                    refusing ? 503 : 500,
                    "The event log could not store the change: " + r.error().message() + "."));
            }
            c->ctx.stats.append_done(
                n, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            then(std::move(*r));
        });
}

void purge_then_no_content(const call_ptr& c, std::vector<engine::entity_id> streams,
                           engine::event_type tombstone) {
    c->ctx.run_blocking([c, streams = std::move(streams), tombstone]() mutable {
        auto deleted = streams.front();
        auto r = c->ctx.log.purge_streams(std::move(streams),
                                          make_append(*c, engine::deletions_stream(), tombstone,
                                                      engine::deletion_payload(deleted)));
        if (!r)
            return c->reply(
                detail(503, "The event log could not delete it: " + r.error().message() + "."));
        response ok;
        ok.status = 204;
        ok.content_type.clear();
        c->reply(std::move(ok));
    });
}

bool has_json_body(call& c) {
    if (!c.req.has_length) {
        c.reply(detail(411, "Length required."));
        return false;
    }
    if (c.req.body.empty()) {  // DRF reads an empty body as no data, whatever its type
        c.req.body = "{}";
        return true;
    }
    std::string_view type = c.req.content_type;
    type = type.substr(0, type.find(';'));
    while (!type.empty() && type.back() == ' ')
        type.remove_suffix(1);
    if (type != "application/json") {
        c.reply(detail(
            415, fmt::format("Unsupported media type \"{}\" in request.", c.req.content_type)));
        return false;
    }
    return true;
}

paging read_paging(const request& req) {
    paging p;
    if (auto limit = parse_unsigned(req.param("limit").value_or("")); limit && *limit > 0)
        p.limit = std::min<std::size_t>(*limit, 1000);
    if (auto offset = parse_unsigned(req.param("offset").value_or(""))) p.offset = *offset;
    return p;
}

void add_links(const call& c, const paging& p, std::size_t total, response& r) {
    if (p.limit == SIZE_MAX) return;
    std::string links;
    if (p.offset < total && total - p.offset > p.limit)
        links = fmt::format("<{}>; rel=\"next\"", page_url(c, p.limit, p.offset + p.limit));
    if (p.offset > 0) {
        if (!links.empty()) links += ", ";
        links += fmt::format("<{}>; rel=\"prev\"",
                             page_url(c, p.limit, p.offset > p.limit ? p.offset - p.limit : 0));
    }
    if (!links.empty()) r.headers.emplace_back("Link", std::move(links));
    r.headers.emplace_back("X-Total-Count", std::to_string(total));
}

}  // namespace belay::transport
