// belay fake: climbing walls for a belayd with no cameras. Sets up the
// route and sessions over REST, then plays one wall per session over the
// live socket, all on one event loop.

#include "fake.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>

#include <fmt/format.h>
#include <simdjson.h>

#include "belay/client/http_client.hpp"
#include "belay/engine/json_text.hpp"
#include "fake_climber.hpp"
#include "fake_wall.hpp"

namespace belay::cli {
namespace {

namespace dom = simdjson::dom;
using fake::route_hold;

constexpr const char* fake_usage =
    R"(usage: belay fake (--create-session | --session-id ID) [options]

Plays climbing walls into belayd as camera rigs would: per wall, over the live
socket, session_update (started); a climb_update each time a hold is grabbed
and completed, in climbing order (start holds first, finish last); pose_update
frames of 33 landmarks of a climber moving hand and foot from hold to hold;
at the end the climb and the session completed. Every message has an id and is
acknowledged; unacknowledged ones are resent after a reconnect.

  --create-session   create a session per wall, on the route "Belay demo route"
                     (created with ten holds if the server has none by that name)
  --session-id ID    play into this existing session, on its route's holds
  --sessions N       walls at once, each its own session and connection (default 1)
  --duration S       seconds of climbing, fractions allowed (default 60)
  --pose-hz HZ       pose frames a second (default 30; 0 = none)
  --window N         messages in flight unacknowledged, at most (default 64)
  --url URL          belayd's base URL (default http://127.0.0.1:8000)
  --token T          an API token; else --data-dir DIR reads DIR/admin.token;
  --data-dir DIR     else $BELAY_TOKEN

Prints "session ID" for each session first, progress on a terminal, then a
summary. Exit 0 when every message was acknowledged, 1 after an error message
or a failure, 2 for a usage mistake.
)";

double parse_decimal(const std::string& name, const std::string& text, double max) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !(v >= 0) ||
        v > max)
        throw usage_error(
            fmt::format("--{} takes a number from 0 to {}, not \"{}\"", name, max, text));
    return v;
}

[[noreturn]] void http_failure(const client::http_client& http, std::string_view what,
                               const boost::system::result<client::http_response>& r) {
    if (!r)
        throw std::runtime_error(
            fmt::format("cannot reach {}: {}", http.server().to_string(), r.error().message()));
    if (r->status == 401)
        throw std::runtime_error(fmt::format("{}: the server refused the token (HTTP 401)", what));
    auto body = r->body.size() > 300 ? r->body.substr(0, 300) + "…" : r->body;
    throw std::runtime_error(fmt::format("{}: HTTP {} {}", what, r->status, body));
}

// The body of a response with status `expected`, parsed; throws otherwise.
dom::element expect(dom::parser& parser, const client::http_client& http, std::string_view what,
                    const boost::system::result<client::http_response>& r, int expected) {
    if (!r || r->status != expected) http_failure(http, what, r);
    dom::element root;
    if (parser.parse(r->body).get(root) != simdjson::SUCCESS)
        throw std::runtime_error(fmt::format("{}: the response is not JSON", what));
    return root;
}

std::string string_member(dom::element e, std::string_view key) {
    std::string_view v;
    return e[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

std::vector<route_hold> read_holds(dom::element route) {
    std::vector<route_hold> holds;
    dom::array list;
    if (route["holds"].get(list) != simdjson::SUCCESS) return holds;
    for (dom::element h : list) {
        route_hold hold;
        dom::element id;
        if (h["id"].get(id) != simdjson::SUCCESS) continue;
        hold.id = simdjson::minify(id);
        hold.type = string_member(h, "type");
        if (h["x"].get(hold.at.x) != simdjson::SUCCESS ||
            h["y"].get(hold.at.y) != simdjson::SUCCESS)
            continue;
        holds.push_back(std::move(hold));
    }
    return holds;
}

struct route {
    std::string id;
    std::vector<route_hold> holds;
};

route demo_route(client::http_client& http, dom::parser& parser) {
    auto listing = expect(parser, http, "listing routes", http.get("/api/routes/"), 200);
    dom::array routes;
    if (listing.get(routes) == simdjson::SUCCESS) {
        for (dom::element r : routes) {
            if (string_member(r, "name") != fake::demo_route_name) continue;
            auto holds = read_holds(r);
            if (!holds.empty()) return {string_member(r, "id"), std::move(holds)};
        }
    }
    std::string body = fmt::format(R"({{"name":"{}","grade":"{}","holds":[)", fake::demo_route_name,
                                   fake::demo_route_grade);
    bool first = true;
    for (const auto& h : fake::demo_route()) {
        body += fmt::format(R"({}{{"id":{},"type":"{}","x":{},"y":{}}})", first ? "" : ",", h.id,
                            h.type, h.at.x, h.at.y);
        first = false;
    }
    body += "]}";
    auto created =
        expect(parser, http, "creating the demo route", http.post("/api/routes/", body), 201);
    return {string_member(created, "id"), read_holds(created)};
}

std::string create_session(client::http_client& http, dom::parser& parser,
                           const std::string& route_id) {
    std::string body = "{\"route\":";
    engine::append_json_string(body, route_id);
    body += "}";
    auto session =
        expect(parser, http, "creating a session", http.post("/api/sessions/", body), 201);
    auto id = string_member(session, "id");
    if (id.empty()) throw std::runtime_error("creating a session: no id in the response");
    return id;
}

// The holds of an existing session's route (the demo layout if it has none).
std::vector<route_hold> session_holds(client::http_client& http, dom::parser& parser,
                                      const std::string& session_id) {
    auto target = "/api/sessions/" + client::percent_encode(session_id) + "/";
    auto r = http.get(target);
    if (r && r->status == 404)
        throw std::runtime_error(fmt::format("session {} not found", session_id));
    auto session = expect(parser, http, "reading the session", r, 200);
    auto route_id = string_member(session, "route");
    if (!route_id.empty()) {
        auto found = expect(parser, http, "reading the session's route",
                            http.get("/api/routes/" + route_id + "/"), 200);
        if (auto holds = read_holds(found); !holds.empty()) return holds;
    }
    return fake::demo_route();
}

// The live line on a terminal, and lines that must not be mixed into it.
class progress_line {
  public:
    progress_line() : tty_(::isatty(2) == 1) {}
    bool shown() const { return tty_; }
    void show(const std::string& text) {
        if (tty_) fmt::print(stderr, "\r{}\x1b[K", text);
    }
    void report(const std::string& line) {
        fmt::print(stderr, "{}belay fake: {}\n", tty_ ? "\r\x1b[K" : "", line);
    }
    void clear() {
        if (tty_) fmt::print(stderr, "\r\x1b[K");
    }

  private:
    bool tty_;
};

fake::wall_stats total(const std::vector<std::unique_ptr<fake::wall>>& walls) {
    fake::wall_stats t;
    for (const auto& w : walls) {
        const auto& s = w->stats();
        t.planned += s.planned;
        t.sent += s.sent;
        t.resent += s.resent;
        t.acked += s.acked;
        t.errors += s.errors;
        t.reconnects += s.reconnects;
        t.echoed += s.echoed;
    }
    return t;
}

}  // namespace

server_access server_from_args(const args& a) {
    server_access s;
    std::string error;
    auto url = a.get("url").value_or("http://127.0.0.1:8000");
    auto ep = client::parse_endpoint(url, &error);
    if (!ep) throw usage_error("--url: " + error);
    s.endpoint = std::move(*ep);
    if (auto token = a.get("token")) {
        s.token = *token;
    } else if (auto dir = a.get("data-dir")) {
        auto token = client::read_admin_token(*dir);
        if (!token) throw std::runtime_error("cannot read a token from " + *dir + "/admin.token");
        s.token = std::move(*token);
    } else if (const char* env = std::getenv("BELAY_TOKEN"); env && *env) {
        s.token = env;
    } else {
        throw usage_error("no token: give --token, --data-dir or $BELAY_TOKEN");
    }
    return s;
}

namespace {

struct fake_settings {
    std::optional<std::string> session_id;  // else create sessions
    std::uint64_t walls = 1;
    double duration = 60, pose_hz = 30;
    std::size_t window = 64;
    server_access server;
};

fake_settings parse_settings(const args& a) {
    if (!a.positional().empty()) throw usage_error("unexpected \"" + a.positional()[0] + "\"");
    fake_settings s;
    s.session_id = a.get("session-id");
    if (a.has("create-session") == s.session_id.has_value())
        throw usage_error("give either --create-session or --session-id");
    s.walls = a.number("sessions", 1);
    if (s.walls < 1 || s.walls > 10'000) throw usage_error("--sessions takes 1 to 10000");
    if (s.session_id && s.walls != 1) throw usage_error("--sessions needs --create-session");
    s.duration = parse_decimal("duration", a.get("duration").value_or("60"), 86'400);
    s.pose_hz = parse_decimal("pose-hz", a.get("pose-hz").value_or("30"), 1'000);
    s.window = a.number("window", 64);
    if (s.window < 1) throw usage_error("--window takes 1 or more");
    s.server = server_from_args(a);
    return s;
}

// The sessions to play and the holds of their route, set up over REST.
struct gym {
    std::vector<std::string> sessions;
    std::vector<route_hold> holds;
};

gym prepare(const fake_settings& s) {
    client::http_client http(s.server.endpoint, s.server.token);
    dom::parser parser;
    gym g;
    if (s.session_id) {
        g.holds = session_holds(http, parser, *s.session_id);
        g.sessions.push_back(*s.session_id);
    } else {
        auto r = demo_route(http, parser);
        g.holds = std::move(r.holds);
        for (std::uint64_t i = 0; i < s.walls; ++i)
            g.sessions.push_back(create_session(http, parser, r.id));
    }
    if (g.holds.empty()) g.holds = fake::demo_route();
    return g;
}

// Prints the summary; returns the exit code.
int summarize(const std::vector<std::unique_ptr<fake::wall>>& walls, double elapsed,
              progress_line& progress) {
    auto t = total(walls);
    std::size_t finished = 0, unacked = 0;
    for (const auto& w : walls) {
        if (w->finished()) ++finished;
        unacked += w->unacknowledged();
        if (!w->failure().empty())
            progress.report(fmt::format("session {}: {}", w->options().session_id, w->failure()));
    }
    fmt::print("walls     {} ({} completed)\n", walls.size(), finished);
    fmt::print("events    sent {}, acked {}, resent {}, errors {}, reconnects {}\n", t.sent,
               t.acked, t.resent, t.errors, t.reconnects);
    fmt::print("time      {:.2f} s, {:.1f} events/s\n", elapsed,
               elapsed > 0 ? static_cast<double>(t.acked) / elapsed : 0.0);
    return finished == walls.size() && t.errors == 0 && unacked == 0 ? 0 : 1;
}

// Plays every wall at once on one event loop, until each has finished or failed.
int play(const fake_settings& s, const gym& g) {
    progress_line progress;
    client::event_loop loop;
    std::random_device seeds;
    const auto run_id = seeds();  // client ids differ from any earlier run's
    std::vector<std::unique_ptr<fake::wall>> walls;
    std::size_t ended = 0;
    auto on_end = [&] {
        if (++ended == walls.size()) loop.stop();
    };
    for (std::size_t i = 0; i < g.sessions.size(); ++i) {
        fake::wall_options o;
        o.server = s.server.endpoint;
        o.token = s.server.token;
        o.session_id = g.sessions[i];
        o.pose_hz = s.pose_hz;
        o.window = s.window;
        o.id_prefix = fmt::format("fake-{:08x}-{}-", run_id, i);
        o.report = [&progress](const std::string& line) { progress.report(line); };
        walls.push_back(std::make_unique<fake::wall>(
            loop, std::move(o), fake::climb_plan(g.holds, s.duration, seeds()), on_end));
    }
    client::timer ticker(loop);
    std::function<void()> show = [&] {
        auto t = total(walls);
        double played = 0;
        for (const auto& w : walls)
            played = std::max(played, w->played_s());
        progress.show(fmt::format("{:.1f}/{:.1f} s  {} wall{}  sent {}  acked {}  errors {}",
                                  played, s.duration, walls.size(), walls.size() == 1 ? "" : "s",
                                  t.sent, t.acked, t.errors));
        ticker.wait_for(std::chrono::milliseconds(200), show);
    };
    const auto began = client::clock_type::now();
    if (progress.shown()) show();
    for (auto& w : walls)
        w->start();
    loop.run();
    ticker.cancel();
    progress.clear();
    return summarize(
        walls, std::chrono::duration<double>(client::clock_type::now() - began).count(), progress);
}

}  // namespace

int run_fake(const std::vector<std::string>& argv) {
    if (!argv.empty() && (argv[0] == "--help" || argv[0] == "-h")) {
        fmt::print("{}", fake_usage);
        return 0;
    }
    std::set<std::string> values = {"session-id", "sessions", "duration", "pose-hz", "window"};
    values.insert(server_options.begin(), server_options.end());
    args a(argv, values, {"create-session", "help"});
    if (a.has("help")) {
        fmt::print("{}", fake_usage);
        return 0;
    }
    const auto settings = parse_settings(a);
    const auto g = prepare(settings);
    for (const auto& id : g.sessions)
        fmt::print("session {}\n", id);
    std::fflush(stdout);
    return play(settings, g);
}

}  // namespace belay::cli
