// Fuzzes HTTP request handling as belayd does it (transport/src/
// http_session.cpp): raw bytes through Beast's request_parser with belayd's
// default header and body limits, the WebSocket upgrade check, then the REST
// router (rest.hpp) over a real event log in a temporary directory and a
// state_store fed by the log's commit listener. Up to four pipelined requests
// per input. Two users exist: admin (token fuzz-admin-token) and alice
// (fuzz-alice-token). Checks: every request is answered exactly once (within
// 10 s), with a valid status, and no response header carries CR, LF or NUL.
// BELAY_FUZZ_VERBOSE=1 prints each request's answer (for checking seeds).

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "beast_request.hpp"
#include "belay/engine/event_log.hpp"
#include "belay/engine/payloads.hpp"
#include "belay/projections/state_store.hpp"
#include "belay/projections/tokens.hpp"
#include "metrics.hpp"
#include "rest.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using namespace belay;

constexpr std::size_t max_header_bytes = 16384;  // belayd's defaults
constexpr std::size_t max_body_bytes = 1 << 20;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_http: %s\n", what);
    std::abort();
}

struct world {
    std::string dir;
    std::unique_ptr<engine::event_log> log;
    projections::state_store store;
    transport::metrics stats;
    std::unique_ptr<transport::router> router;
};

world* the_world = nullptr;

void close_world() {
    if (!the_world) return;
    the_world->router.reset();
    the_world->log.reset();  // drains and joins the writer
    std::error_code ignored;
    std::filesystem::remove_all(the_world->dir, ignored);
}

void add_user(engine::event_log& log, const char* name, const char* token, bool admin) {
    engine::user_fields f;
    f.username = name;
    f.token_sha256 = projections::token_hash(token);
    f.is_admin = admin;
    engine::append_request r;
    r.stream = projections::user_stream(name);
    r.type = engine::event_type::user_created;
    r.author = "belayd";
    r.client_id = "user_created";
    r.payload = engine::to_payload(f);
    if (!log.append(std::move(r))) fail("cannot create a user");
}

world& get_world() {
    if (the_world) return *the_world;
    char tmpl[] = "/tmp/belay-fuzz-http-XXXXXX";
    if (!::mkdtemp(tmpl)) fail("mkdtemp failed");
    auto* w = new world;
    w->dir = tmpl;
    engine::log_options o;
    o.data_dir = w->dir + "/log";
    o.durability = engine::durability::buffered;  // fsync is not what is fuzzed
    auto log = engine::event_log::open(o);
    if (!log) fail("cannot open the event log");
    w->log = std::move(*log);
    w->log->add_commit_listener(
        [w](const std::vector<engine::event>& events) { w->store.apply(events); });
    add_user(*w->log, "admin", "fuzz-admin-token", true);
    add_user(*w->log, "alice", "fuzz-alice-token", false);
    transport::rest_context ctx{*w->log, w->store, w->stats,
                                [](std::function<void()> job) { job(); }, BELAY_FUZZ_WEB_DIR};
    w->router = std::make_unique<transport::router>(std::move(ctx));
    the_world = w;
    std::atexit(close_world);
    return *w;
}

// One answer, awaited across threads (appends answer on the writer thread).
struct answer_slot {
    std::mutex mutex;
    std::condition_variable ready;
    int calls = 0;
    transport::response response;
};

transport::response route(world& w, transport::request req) {
    auto slot = std::make_shared<answer_slot>();
    w.router->handle(std::move(req), [slot](transport::response r) {
        std::lock_guard lock(slot->mutex);
        if (++slot->calls > 1) fail("respond called more than once");
        slot->response = std::move(r);
        slot->ready.notify_all();
    });
    std::unique_lock lock(slot->mutex);
    if (!slot->ready.wait_for(lock, std::chrono::seconds(10), [&] { return slot->calls > 0; }))
        fail("request not answered within 10 s");
    return slot->response;
}

bool clean_header_text(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// As http_session.cpp's to_message, then serialised as it would be written.
void write_answer(transport::response r, const http::request<http::string_body>& req) {
    if (r.status < 100 || r.status > 599) fail("status out of range");
    if (!clean_header_text(r.content_type)) fail("CR/LF/NUL in Content-Type");
    for (auto& [name, value] : r.headers)
        if (!clean_header_text(name) || !clean_header_text(value))
            fail("CR/LF/NUL in a response header");
    http::response<http::string_body> m{static_cast<http::status>(r.status), req.version()};
    m.set(http::field::server, "belay");
    if (!r.content_type.empty()) m.set(http::field::content_type, r.content_type);
    for (auto& [name, value] : r.headers)
        m.set(name, value);
    m.keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) {
        m.content_length(r.body.size());
    } else {
        m.body() = std::move(r.body);
        m.prepare_payload();
    }
    http::response_serializer<http::string_body> sr{m};
    beast::error_code ec;
    std::size_t bytes = 0;
    while (!sr.is_done() && !ec)
        sr.next(ec, [&](beast::error_code&, const auto& buffers) {
            auto n = asio::buffer_size(buffers);
            bytes += n;
            sr.consume(n);
        });
    if (ec) fail("response does not serialise");
}

// Parses one request from the front of `in`; false when nothing more can be
// served (incomplete, malformed, refused, or an upgrade).
bool serve_one(world& w, std::string_view& in) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(max_header_bytes));
    parser.body_limit(max_body_bytes);
    parser.eager(true);
    beast::error_code ec;
    while (!parser.is_done()) {
        auto n = parser.put(asio::buffer(in.data(), in.size()), ec);
        in.remove_prefix(n);
        if (ec == http::error::need_more && n > 0 && !in.empty()) {
            ec = {};
            continue;
        }
        if (ec || n == 0) return false;  // 431 / 413 / a malformed request / the client went quiet
    }
    const auto& req = parser.get();
    if (websocket::is_upgrade(req)) {
        // serve_websocket takes the connection; its path and query are parsed
        // the same way.
        transport::request r;
        transport::parse_target(std::string_view(req.target().data(), req.target().size()), r);
        return false;
    }
    auto answer = route(w, transport::to_request(req));
    static const bool verbose = std::getenv("BELAY_FUZZ_VERBOSE") != nullptr;
    if (verbose)
        std::fprintf(stderr, "%s %s -> %d %.200s\n", std::string(req.method_string()).c_str(),
                     std::string(req.target()).c_str(), answer.status, answer.body.c_str());
    write_answer(std::move(answer), req);
    return req.keep_alive();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& w = get_world();
    std::string_view in(reinterpret_cast<const char*>(data), size);
    for (int i = 0; i < 4 && !in.empty(); ++i)
        if (!serve_one(w, in)) break;
    return 0;
}
