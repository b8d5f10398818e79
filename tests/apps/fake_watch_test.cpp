// End to end: the real belayd, `belay fake` playing climbing walls into it and
// `belay watch` following them over the live and replay sockets.

#include <catch2/catch_test_macros.hpp>

#include "result_printing.hpp"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "belay/client/http_client.hpp"
#include "belay/client/messages.hpp"
#include "belay/client/ws_client.hpp"
#include "belayd_process.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

namespace {

// With --duration 2 --pose-hz 30 on the ten-hold demo route, a session holds:
// session_created, session_update started, a climb_update at the start, one
// per hold grabbed and one per hold completed, one at the end, 60 poses, and
// session_update completed.
constexpr int holds = 10, poses = 60;
constexpr int events_sent = 1 + (1 + 2 * holds + 1) + poses + 1;
constexpr int session_events = 1 + events_sent;

struct run_result {
    int exit_code = -1;
    std::string out;
};

std::string command(const std::string& args) {
    return std::string(BELAY_CLI) + " " + args + " 2>&1";
}

// A `belay` process whose output can be read line by line while it runs.
class running {
  public:
    explicit running(const std::string& args) : pipe_(::popen(command(args).c_str(), "r")) {
        REQUIRE(pipe_);
    }
    ~running() {
        if (pipe_) ::pclose(pipe_);
    }
    running(const running&) = delete;
    running& operator=(const running&) = delete;

    std::optional<std::string> line() {
        char buf[4096];
        if (!std::fgets(buf, sizeof buf, pipe_)) return std::nullopt;
        std::string s(buf);
        out_ += s;
        if (!s.empty() && s.back() == '\n') s.pop_back();
        return s;
    }
    run_result finish() {
        while (line()) {
        }
        int status = ::pclose(pipe_);
        pipe_ = nullptr;
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out_};
    }

  private:
    FILE* pipe_;
    std::string out_;
};

run_result run(const std::string& args) {
    return running(args).finish();
}

// fake's summary line for `n` events sent and acknowledged, none refused.
std::string fmt_sent(int n) {
    return "events    sent " + std::to_string(n) + ", acked " + std::to_string(n) +
           ", resent 0, errors 0";
}

std::future<run_result> start(const std::string& args) {
    return std::async(std::launch::async, [args] { return run(args); });
}

// The session id from fake's "session ID" line.
std::string session_line(running& fake) {
    auto line = fake.line();
    REQUIRE(line);
    INFO(*line);
    REQUIRE(line->starts_with("session "));
    auto id = line->substr(8);
    REQUIRE(id.size() == 36);
    return id;
}

std::vector<std::string> lines_starting(const std::string& out, const std::string& prefix) {
    std::vector<std::string> found;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(prefix)) found.push_back(line);
    return found;
}

// The seqs of watch's event lines ("seq N …"), in the order printed.
std::vector<std::uint64_t> seqs(const std::string& out) {
    std::vector<std::uint64_t> found;
    for (const auto& line : lines_starting(out, "seq "))
        found.push_back(std::stoull(line.substr(4)));
    return found;
}

struct server {
    belay::test::temp_dir dir;
    belay::test::belayd_process belayd{dir.str()};
    belay::test::http_client http{"127.0.0.1", belayd.port()};
    std::string token = belayd.admin_token();

    std::string access() const {
        return " --url http://127.0.0.1:" + std::to_string(belayd.port()) + " --data-dir " +
               dir.str();
    }

    // The session as REST shows it, ended and complete: status completed, an
    // end_time, the climb completed with every hold completed at a time.
    void check_completed(const std::string& id) {
        auto r = http.get("/api/sessions/" + id + "/", token);
        INFO(r.body);
        REQUIRE(r.status == 200);
        simdjson::dom::parser parser;
        simdjson::dom::element session;
        REQUIRE(parser.parse(r.body).get(session) == simdjson::SUCCESS);
        CHECK(std::string_view(session["status"]) == "completed");
        CHECK(session["end_time"].is_string());
        CHECK(std::uint64_t(session["last_seq"]) == session_events);
        CHECK(std::uint64_t(session["pose_frames"]) == poses);
        CHECK(std::string_view(session["route"]).size() == 36);
        auto climb = session["climb_data"];
        CHECK(std::string_view(climb["status"]) == "completed");
        CHECK(climb["endTime"].is_string());
        simdjson::dom::array list = climb["holds"];
        CHECK(list.size() == holds);
        for (auto hold : list) {
            CHECK(std::string_view(hold["status"]) == "completed");
            CHECK(hold["time"].is_string());
        }
    }
};

}  // namespace

TEST_CASE("fake and watch: one wall, watched from the log and live, ends completed") {
    server s;
    running fake("fake --create-session --duration 2 --pose-hz 30" + s.access());
    auto id = session_line(fake);
    // One watcher from seq 0 (the log, then live): every event, in order.
    auto all = start("watch --session-id " + id + " --after-seq 0 --expect " +
                     std::to_string(session_events) + " --timeout 20" + s.access());
    // One joining live: whatever comes after its session_state, in order.
    auto live = start("watch --session-id " + id + " --timeout 5" + s.access());
    auto f = fake.finish();
    INFO(f.out);
    CHECK(f.exit_code == 0);
    CHECK(f.out.find(fmt_sent(events_sent)) != std::string::npos);

    auto w = all.get();
    INFO(w.out);
    CHECK(w.exit_code == 0);
    auto got = seqs(w.out);
    REQUIRE(got.size() == session_events);
    for (std::size_t i = 0; i < got.size(); ++i)
        CHECK(got[i] == i + 1);
    CHECK(lines_starting(w.out, "seq 1 session_created").size() == 1);
    CHECK(lines_starting(w.out, "seq 2 session_updated status started").size() == 1);
    CHECK(lines_starting(w.out, "seq " + std::to_string(session_events) +
                                    " session_updated status completed, end_time ")
              .size() == 1);
    CHECK(lines_starting(w.out, "seq ").size() == session_events);
    auto climbs = lines_starting(w.out, "seq ");
    std::size_t pose_lines = 0;
    for (const auto& line : climbs)
        if (line.ends_with("pose_updated 33 landmarks")) ++pose_lines;
    CHECK(pose_lines == poses);

    auto l = live.get();
    INFO(l.out);
    CHECK(l.exit_code == 0);
    auto tail = seqs(l.out);
    REQUIRE(!tail.empty());
    CHECK(tail.back() == session_events);
    for (std::size_t i = 1; i < tail.size(); ++i)
        CHECK(tail[i] == tail[i - 1] + 1);
    CHECK(lines_starting(l.out, "session_state seq ").size() == 1);

    s.check_completed(id);
}

TEST_CASE("fake and watch: --sessions 3 plays three walls at once") {
    server s;
    running fake("fake --create-session --sessions 3 --duration 2 --pose-hz 30" + s.access());
    std::vector<std::string> ids;
    std::vector<std::future<run_result>> watchers;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(session_line(fake));
        watchers.push_back(start("watch --quiet --session-id " + ids.back() +
                                 " --after-seq 0 --expect " + std::to_string(session_events) +
                                 " --timeout 20" + s.access()));
    }
    auto f = fake.finish();
    INFO(f.out);
    CHECK(f.exit_code == 0);
    CHECK(f.out.find("walls     3 (3 completed)") != std::string::npos);
    CHECK(f.out.find(fmt_sent(3 * events_sent)) != std::string::npos);
    for (auto& watcher : watchers) {
        auto w = watcher.get();
        INFO(w.out);
        CHECK(w.exit_code == 0);
        CHECK(w.out.find(std::to_string(session_events) + " events, seq 1.." +
                         std::to_string(session_events) + ", in order") != std::string::npos);
    }
    for (const auto& id : ids)
        s.check_completed(id);
    // The three walls share the one demo route.
    auto routes = s.http.get("/api/routes/", s.token);
    auto first = routes.body.find("\"Belay demo route\"");
    CHECK(first != std::string::npos);
    CHECK(routes.body.find("\"Belay demo route\"", first + 1) == std::string::npos);
}

TEST_CASE("fake and watch: the replay of a played session, as fast as possible") {
    server s;
    running fake("fake --create-session --duration 2 --pose-hz 30" + s.access());
    auto id = session_line(fake);
    REQUIRE(fake.finish().exit_code == 0);
    auto w = run("watch --replay --speed 0 --session-id " + id + " --timeout 20" + s.access());
    INFO(w.out);
    if (w.out.find("HTTP 404") != std::string::npos) SKIP("this belayd has no replay socket yet");
    CHECK(w.exit_code == 0);
    CHECK(lines_starting(w.out, "replay_info seqs 1..").size() == 1);
    auto got = seqs(w.out);
    REQUIRE(got.size() == session_events);
    for (std::size_t i = 0; i < got.size(); ++i)
        CHECK(got[i] == i + 1);
    CHECK(lines_starting(w.out, "replay_completed last_seq " + std::to_string(session_events))
              .size() == 1);
}

TEST_CASE("fake and watch: belayd killed and restarted mid-climb: nothing lost, nothing twice") {
    belay::test::temp_dir dir;
    std::optional<belay::test::belayd_process> belayd;
    belayd.emplace(dir.str());
    const auto port = std::to_string(belayd->port());
    const auto access = " --url http://127.0.0.1:" + port + " --data-dir " + dir.str();
    // 200 poses a second keep messages in flight when the server dies.
    constexpr int fast_poses = 600, sent = events_sent - poses + fast_poses;
    running fake("fake --create-session --duration 3 --pose-hz 200" + access);
    auto id = session_line(fake);
    auto watcher = start("watch --session-id " + id + " --after-seq 0 --expect " +
                         std::to_string(sent + 1) + " --timeout 30" + access);
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    belayd->kill();
    belayd.emplace(dir.str(), std::vector<std::string>{"--listen", "127.0.0.1:" + port});
    auto f = fake.finish();
    INFO(f.out);
    CHECK(f.exit_code == 0);
    CHECK(f.out.find("events    sent " + std::to_string(sent) + ", acked " +
                     std::to_string(sent)) != std::string::npos);
    CHECK(f.out.find("reconnects 1") != std::string::npos);
    auto w = watcher.get();
    INFO(w.out);
    CHECK(w.exit_code == 0);
    auto got = seqs(w.out);
    REQUIRE(got.size() == sent + 1);
    for (std::size_t i = 0; i < got.size(); ++i)
        CHECK(got[i] == i + 1);
    belay::test::http_client http("127.0.0.1", belayd->port());
    auto r = http.get("/api/sessions/" + id + "/", belayd->admin_token());
    CHECK(r.body.find("\"status\":\"completed\",\"climb_data\"") != std::string::npos);
    CHECK(r.body.find("\"last_seq\":" + std::to_string(sent + 1) + ",") != std::string::npos);
}

TEST_CASE("fake: --session-id plays into an existing session (no route: the demo holds)") {
    server s;
    auto r = s.http.post("/api/sessions/", "{}", s.token);
    REQUIRE(r.status == 201);
    auto id = r.body.substr(r.body.find("\"id\":\"") + 6, 36);
    auto f = run("fake --session-id " + id + " --duration 1 --pose-hz 10" + s.access());
    INFO(f.out);
    CHECK(f.exit_code == 0);
    CHECK(f.out.find("session " + id + "\n") == 0);
    CHECK(f.out.find(fmt_sent(events_sent - poses + 10)) != std::string::npos);
    auto session = s.http.get("/api/sessions/" + id + "/", s.token);
    CHECK(session.body.find("\"route\":null") != std::string::npos);
    CHECK(session.body.find("\"status\":\"completed\",\"climb_data\"") != std::string::npos);
    std::size_t completed = 0;
    for (auto at = session.body.find("\"status\":\"completed\",\"time\""); at != std::string::npos;
         at = session.body.find("\"status\":\"completed\",\"time\"", at + 1))
        ++completed;
    CHECK(completed == holds);
}

TEST_CASE("fake and watch: mistakes and failures are clear and exit non-zero") {
    CHECK(run("fake --help").exit_code == 0);
    CHECK(run("watch --help").exit_code == 0);
    CHECK(run("fake --duration 2 --token t").exit_code ==
          2);  // neither --create-session nor --session-id
    CHECK(run("fake --create-session --session-id x --token t").exit_code == 2);
    CHECK(run("fake --create-session --duration soon --token t").exit_code == 2);
    CHECK(run("fake --create-session --frobnicate --token t").exit_code == 2);
    CHECK(run("fake --create-session --url ftp://x --token t").exit_code == 2);
    CHECK(run("watch --token t").exit_code == 2);  // no --session-id
    CHECK(run("watch --session-id x --speed 2 --token t").exit_code ==
          2);  // --speed without --replay
    auto nowhere = run("fake --create-session --duration 1 --token t --url http://127.0.0.1:1");
    CHECK(nowhere.exit_code == 1);
    CHECK(nowhere.out.find("cannot reach http://127.0.0.1:1") != std::string::npos);

    server s;
    const std::string unknown = "6b2f3c1e-0000-4000-8000-000000000000";
    auto missing = run("watch --session-id " + unknown + " --timeout 10" + s.access());
    INFO(missing.out);
    CHECK(missing.exit_code == 1);
    CHECK(missing.out.find("session " + unknown + " not found (close 4404)") != std::string::npos);
    auto port = " --url http://127.0.0.1:" + std::to_string(s.belayd.port());
    auto refused = run("watch --session-id " + unknown + " --timeout 10 --token wrong" + port);
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.find("refused the token (close 4401)") != std::string::npos);
    auto fake_refused = run("fake --create-session --duration 1 --token wrong" + port);
    CHECK(fake_refused.exit_code == 1);
    CHECK(fake_refused.out.find("refused the token (HTTP 401)") != std::string::npos);
    auto fake_missing = run("fake --session-id " + unknown + " --duration 1" + s.access());
    CHECK(fake_missing.exit_code == 1);
    CHECK(fake_missing.out.find("session " + unknown + " not found") != std::string::npos);
    // Nothing arrives within the timeout: --expect is not met.
    auto session = s.http.post("/api/sessions/", "{}", s.token);
    REQUIRE(session.status == 201);
    auto id = session.body.substr(session.body.find("\"id\":\"") + 6, 36);
    auto quiet = run("watch --session-id " + id + " --expect 5 --timeout 1" + s.access());
    CHECK(quiet.exit_code == 1);
    CHECK(quiet.out.find("0 of 5 events in order within 1 s") != std::string::npos);
}

TEST_CASE("fake and watch: the client library against belayd") {
    belay::test::temp_dir dir;
    belay::test::belayd_process belayd(dir.str(), {"--idle-timeout-ms", "300"});
    auto ep = belay::client::parse_endpoint("http://127.0.0.1:" + std::to_string(belayd.port()));
    REQUIRE(ep);
    auto token = belay::client::read_admin_token(dir.str());
    REQUIRE(token);
    belay::client::http_client http(*ep, *token);

    auto created = http.post("/api/sessions/", "{}");
    REQUIRE(created);
    REQUIRE(created->status == 201);
    auto id = created->body.substr(created->body.find("\"id\":\"") + 6, 36);
    // The server closes the idle kept-alive connection; the next request reconnects.
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    auto again = http.get("/api/sessions/" + id + "/");
    REQUIRE(again);
    CHECK(again->status == 200);
    auto patched = http.patch("/api/sessions/" + id + "/", R"({"status":"abandoned"})");
    REQUIRE(patched);
    CHECK(patched->status == 200);
    auto unauthorised = belay::client::http_client(*ep, "wrong").get("/api/sessions/");
    REQUIRE(unauthorised);
    CHECK(unauthorised->status == 401);
    auto nowhere =
        belay::client::http_client(*belay::client::parse_endpoint("http://127.0.0.1:1"), "t")
            .get("/healthz");
    CHECK(!nowhere);

    belay::client::ws_client ws;
    REQUIRE(ws.connect(*ep, belay::client::live_target(*ep, id, *token, 0)));
    belay::client::message_reader reader;
    belay::client::server_message m;
    auto next = [&] {
        auto text = ws.receive(std::chrono::seconds(5));
        REQUIRE(text);
        REQUIRE(reader.read(*text, m));
    };
    next();
    CHECK(m.kind == belay::client::message_kind::session_state);
    CHECK(m.seq == 2);
    CHECK(m.status == "abandoned");
    next();
    CHECK(m.kind == belay::client::message_kind::event);
    CHECK(m.type == "session_created");
    CHECK(m.seq == 1);
    next();
    CHECK(m.type == "session_updated");
    CHECK(m.seq == 2);
    ws.send(R"({"type":"pose_update","id":"p1","pose":[{"x":0.5,"y":0.5}]})");
    ws.send(R"({"type":"pose_update","id":"p2","pose":[]})");
    bool acked = false, echoed = false, refused = false;
    for (int i = 0; i < 3; ++i) {
        next();
        if (m.kind == belay::client::message_kind::ack) acked = m.id == "p1" && m.seq == 3;
        if (m.kind == belay::client::message_kind::event)
            echoed = m.type == "pose_updated" && m.seq == 3 && m.landmarks == 1;
        if (m.kind == belay::client::message_kind::error) refused = m.code == "invalid_value";
    }
    CHECK(acked);
    CHECK(echoed);
    CHECK(refused);
    ws.close();
    REQUIRE(ws.closed());
    INFO(ws.closed()->describe());
    CHECK(ws.closed()->code == 1000);

    belay::client::ws_client missing;
    CHECK(missing.connect(
        *ep, belay::client::live_target(*ep, "6b2f3c1e-0000-4000-8000-000000000000", *token)));
    CHECK(missing.receive(std::chrono::seconds(5)).has_value());  // the error message first
    CHECK(!missing.receive(std::chrono::seconds(5)));
    REQUIRE(missing.closed());
    CHECK(missing.closed()->code == 4404);

    belay::client::ws_client declined;
    auto bogus = *ep;
    bogus.prefix = "/nowhere";
    CHECK(!declined.connect(bogus, belay::client::live_target(bogus, id, *token)));
    REQUIRE(declined.closed());
    CHECK(declined.closed()->http_status == 404);
}
