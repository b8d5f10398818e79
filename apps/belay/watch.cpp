// belay watch: one line per message of a session's live or replay socket,
// with the seqs checked: every event must be the one after the last.

#include "watch.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "args.hpp"
#include "belay/client/event_loop.hpp"
#include "belay/client/messages.hpp"
#include "belay/client/ws_connection.hpp"
#include "fake.hpp"

namespace belay::cli {
namespace {

constexpr const char* watch_usage = R"(usage: belay watch --session-id ID [options]

Prints each message of a session's live socket (or, with --replay, its replay
socket) on one line, and checks that the events' seqs follow on with no gap
and no repeat.

  --session-id ID    the session
  --replay           the replay socket: the recorded events, then replay_completed
  --speed X          replay speed (default 1; 0 = as fast as possible)
  --after-seq N      start after seq N (live: from the log first, then live)
  --expect N         exit 0 as soon as N events have arrived in order
  --timeout S        give up after S seconds (exit 1 if --expect is not met)
  --json             print the messages as they came
  --quiet            print only problems and the summary
  --url URL          belayd's base URL (default http://127.0.0.1:8000)
  --token T          an API token; else --data-dir DIR reads DIR/admin.token;
  --data-dir DIR     else $BELAY_TOKEN

A live watch runs until --expect, --timeout or Ctrl-C, reconnecting after the
last seq seen if the connection drops; a replay ends at replay_completed.
Exit 0 when every event came in order (and --expect was met), 1 otherwise or
on a failure, 2 for a usage mistake.
)";

constexpr int max_reconnects = 5;

struct watch_options {
    server_access server;
    std::string session_id;
    bool replay = false;
    std::string speed = "1";
    std::optional<std::uint64_t> after_seq, expect;
    double timeout_s = 0;
    bool json = false, quiet = false;
};

std::string climb_text(const client::climb_progress& c) {
    auto text = fmt::format("{}/{} holds completed", c.completed, c.holds);
    if (c.grabbed > 0) text += fmt::format(", {} grabbed", c.grabbed);
    if (!c.status.empty()) text += ", status " + c.status;
    return text;
}

// The one-line summary of a message.
std::string summary(const client::server_message& m) {
    using client::message_kind;
    switch (m.kind) {
        case message_kind::event: {
            std::string line = fmt::format("seq {}", m.seq);
            if (m.offset_ms)
                line += fmt::format(" +{:.3f}s", static_cast<double>(*m.offset_ms) / 1e3);
            line += " " + m.type;
            if (m.type == "pose_updated") return line + fmt::format(" {} landmarks", m.landmarks);
            if (m.climb) return line + " " + climb_text(*m.climb);
            if (!m.status.empty()) line += " status " + m.status;
            if (!m.end_time.empty()) line += ", end_time " + m.end_time;
            return line;
        }
        case message_kind::session_state: {
            std::string line = fmt::format("session_state seq {}", m.seq);
            if (!m.status.empty()) line += ": session " + m.status;
            if (m.climb) line += "; climb " + climb_text(*m.climb);
            return line;
        }
        case message_kind::replay_info:
            return fmt::format(
                "replay_info seqs {}..{}, {} events, {:.3f} s, speed {}, {}{}", m.first_seq,
                m.last_seq, m.event_count, static_cast<double>(m.duration_ms) / 1e3,
                m.speed ? fmt::format("{}", *m.speed) : "?", m.paused ? "paused" : "playing",
                m.status.empty() ? "" : "; session " + m.status);
        case message_kind::replay_completed:
            return fmt::format("replay_completed last_seq {}", m.last_seq);
        case message_kind::error:
            return fmt::format("error {}: {}", m.code, m.message);
        case message_kind::ack:
            return fmt::format("ack {} seq {}", m.id, m.seq);
        case message_kind::other:
            break;
    }
    return m.type;
}

class watcher {
  public:
    watcher(client::event_loop& loop, watch_options o)
        : loop_(loop),
          o_(std::move(o)),
          connection_(loop, {.on_open = [this] { reconnects_ = 0; },
                             .on_message = [this](std::string_view t) { on_message(t); },
                             .on_close = [this](const client::ws_close& c) { on_close(c); }}),
          deadline_(loop),
          retry_(loop),
          guard_(loop) {}

    int run();

  private:
    void connect();
    void on_message(std::string_view text);
    void on_event(const client::server_message& m);
    void on_close(const client::ws_close& c);
    void problem(const std::string& what);
    void finish(int code);
    bool expectation_met() const { return o_.expect && in_order_ >= *o_.expect; }
    std::string problems_text() const {
        return fmt::format("{} problem{}", problems_, problems_ == 1 ? "" : "s");
    }

    client::event_loop& loop_;
    watch_options o_;
    client::ws_connection connection_;
    client::timer deadline_, retry_, guard_;
    client::message_reader reader_;
    client::server_message message_;
    std::uint64_t expected_ = 0;  // the next event's seq; 0 until known
    std::uint64_t first_seen_ = 0, last_seen_ = 0;
    std::uint64_t events_ = 0, in_order_ = 0, problems_ = 0;
    int reconnects_ = 0;
    bool done_ = false;
    int exit_code_ = 1;
};

int watcher::run() {
    if (o_.timeout_s > 0) {
        deadline_.wait_for(std::chrono::duration_cast<client::clock_type::duration>(
                               std::chrono::duration<double>(o_.timeout_s)),
                           [this] {
                               if (o_.expect)
                                   problem(fmt::format("{} of {} events in order within {} s",
                                                       in_order_, *o_.expect, o_.timeout_s));
                               finish(problems_ == 0 && (!o_.expect || expectation_met()) ? 0 : 1);
                           });
    }
    connect();
    loop_.run();
    std::fflush(stdout);
    if (events_ > 0)
        fmt::print(stderr, "belay watch: {} events, seq {}..{}, {}\n", events_, first_seen_,
                   last_seen_, problems_ == 0 ? "in order" : problems_text());
    else
        fmt::print(stderr, "belay watch: no events{}\n",
                   problems_ == 0 ? "" : ", " + problems_text());
    return exit_code_;
}

void watcher::connect() {
    const auto& ep = o_.server.endpoint;
    // After a drop, resume after the last event in order.
    std::optional<std::uint64_t> after = o_.after_seq;
    if (expected_ > 0) after = expected_ - 1;
    if (o_.replay) {
        std::optional<std::uint64_t> from;
        if (after) from = *after + 1;
        connection_.connect(
            ep, client::replay_target(ep, o_.session_id, o_.server.token, o_.speed, from));
    } else {
        connection_.connect(ep, client::live_target(ep, o_.session_id, o_.server.token, after));
    }
}

void watcher::on_message(std::string_view text) {
    if (done_) return;
    const bool readable = reader_.read(text, message_);
    if (o_.json && !o_.quiet) fmt::print("{}\n", text);
    if (!readable) return problem(fmt::format("unreadable message: {:.80}", text));
    if (!o_.json && !o_.quiet) fmt::print("{}\n", summary(message_));
    using client::message_kind;
    switch (message_.kind) {
        case message_kind::session_state:
            // Live: the events follow this state, or the log after --after-seq
            // (which the server caps at the state's seq). Replay: a seek's
            // state; the events after it follow.
            if (expected_ == 0 || o_.replay)
                expected_ = (!o_.replay && o_.after_seq) ? std::min(*o_.after_seq, message_.seq) + 1
                                                         : message_.seq + 1;
            break;
        case message_kind::replay_info:
            if (expected_ == 0)
                expected_ = o_.after_seq ? *o_.after_seq + 1
                                         : std::max<std::uint64_t>(message_.first_seq, 1);
            break;
        case message_kind::event:
            on_event(message_);
            break;
        case message_kind::replay_completed:
            if (message_.last_seq >= expected_)
                problem(fmt::format("replay completed at seq {}, but the events stopped at seq {}",
                                    message_.last_seq, expected_ - 1));
            finish(problems_ == 0 && (!o_.expect || expectation_met()) ? 0 : 1);
            break;
        case message_kind::error:
            // Its line is printed already (and a close code usually follows).
            if (o_.quiet || o_.json)
                problem(fmt::format("error {}: {}", message_.code, message_.message));
            else
                ++problems_;
            break;
        default:
            break;
    }
}

void watcher::on_event(const client::server_message& m) {
    ++events_;
    if (first_seen_ == 0) first_seen_ = m.seq;
    last_seen_ = m.seq;
    if (expected_ == 0) expected_ = m.seq;
    if (m.seq < expected_) {
        problem(fmt::format("repeat: seq {} again (expected {})", m.seq, expected_));
        return;
    }
    if (m.seq > expected_)
        problem(fmt::format("gap: expected seq {}, got {} ({} missing)", expected_, m.seq,
                            m.seq - expected_));
    else
        ++in_order_;
    expected_ = m.seq + 1;
    if (expectation_met()) finish(problems_ == 0 ? 0 : 1);
}

void watcher::on_close(const client::ws_close& c) {
    if (done_) return loop_.stop();
    std::string why;
    switch (c.code) {
        case 4404:
            why = fmt::format("session {} not found (close 4404)", o_.session_id);
            break;
        case 4401:
            why = "the server refused the token (close 4401)";
            break;
        case 4429:
            why = "too many live connections for this user (close 4429)";
            break;
        default:
            break;
    }
    if (why.empty() && c.http_status != 0) {
        why = c.describe();
        if (o_.replay && c.http_status == 404) why += ": does this belayd have the replay socket?";
    }
    // A live socket that dropped (or cut us for lagging) resumes after the last seq.
    const bool resumable = !o_.replay && (c.code == 0 || c.code == 4008 || c.code == 1001 ||
                                          c.code == 1011 || c.code == 1012 || c.code == 1013);
    if (why.empty() && resumable && reconnects_ < max_reconnects) {
        ++reconnects_;
        fmt::print(stderr, "belay watch: connection lost ({}), reconnecting\n", c.describe());
        retry_.wait_for(std::chrono::milliseconds(200 << reconnects_), [this] { connect(); });
        return;
    }
    if (why.empty())
        why = o_.replay ? "the replay ended before replay_completed: " + c.describe()
                        : "the connection ended: " + c.describe();
    fmt::print(stderr, "belay watch: {}\n", why);
    done_ = true;
    exit_code_ = 1;
    loop_.stop();
}

void watcher::problem(const std::string& what) {
    ++problems_;
    std::fflush(stdout);
    fmt::print(stderr, "belay watch: {}\n", what);
}

void watcher::finish(int code) {
    if (done_) return;
    done_ = true;
    exit_code_ = code;
    deadline_.cancel();
    retry_.cancel();
    if (!connection_.is_open()) return loop_.stop();
    connection_.close(1000);
    guard_.wait_for(std::chrono::seconds(1), [this] { loop_.stop(); });
}

double parse_seconds(const std::string& text) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !(v >= 0))
        throw usage_error("--timeout takes seconds, not \"" + text + "\"");
    return v;
}

}  // namespace

int run_watch(const std::vector<std::string>& argv) {
    if (!argv.empty() && (argv[0] == "--help" || argv[0] == "-h")) {
        fmt::print("{}", watch_usage);
        return 0;
    }
    std::set<std::string> values = {"session-id", "speed", "after-seq", "expect", "timeout"};
    values.insert(server_options.begin(), server_options.end());
    args a(argv, values, {"replay", "json", "quiet", "help"});
    if (a.has("help")) {
        fmt::print("{}", watch_usage);
        return 0;
    }
    if (!a.positional().empty()) throw usage_error("unexpected \"" + a.positional()[0] + "\"");
    watch_options o;
    o.session_id = a.require("session-id");
    o.replay = a.has("replay");
    if (auto speed = a.get("speed")) {
        if (!o.replay) throw usage_error("--speed needs --replay");
        double v = 0;
        auto [end, ec] = std::from_chars(speed->data(), speed->data() + speed->size(), v);
        if (speed->empty() || ec != std::errc{} || end != speed->data() + speed->size() || v < 0)
            throw usage_error("--speed takes a number, 0 or more, not \"" + *speed + "\"");
        o.speed = *speed;
    }
    if (a.get("after-seq")) o.after_seq = a.number("after-seq", 0);
    if (a.get("expect")) o.expect = a.number("expect", 0);
    if (auto t = a.get("timeout")) o.timeout_s = parse_seconds(*t);
    o.json = a.has("json");
    o.quiet = a.has("quiet");
    o.server = server_from_args(a);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // a line as soon as its message came
    client::event_loop loop;
    watcher w(loop, std::move(o));
    return w.run();
}

}  // namespace belay::cli
