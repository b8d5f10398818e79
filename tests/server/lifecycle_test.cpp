// Restarts, crashes, deletion and the CLI on a running server's data.

#include <sys/wait.h>
#include <cstdio>

#include "server_fixture.hpp"

using namespace belay::test;

namespace {

std::string run(const std::string& cmd) {
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
        out.append(buf, n);
    ::pclose(p);
    return out;
}

}  // namespace

TEST_CASE("everything acknowledged survives a restart and a crash") {
    temp_dir dir;
    std::string admin, id, climb_state;
    {
        belayd_process server(dir.str());
        admin = server.admin_token();
        http_client http("127.0.0.1", server.port());
        id = id_of(http.post("/api/sessions/", "{}", admin).body);
        http.request("PATCH", "/api/sessions/" + id + "/", R"({"status":"completed"})", admin);
        climb_state = http.get("/api/sessions/" + id + "/", admin).body;
        CHECK(server.stop() == 0);
        CHECK(has(server.output(), "SIGTERM received, stopping"));
    }
    {
        belayd_process server(dir.str());
        CHECK(has(server.output(), "projections: checkpoint at position"));
        CHECK(!has(server.output(), "created the user admin"));
        http_client http("127.0.0.1", server.port());
        CHECK(http.get("/api/sessions/" + id + "/", admin).body == climb_state);
        http.request("PATCH", "/api/sessions/" + id + "/", R"({"status":"abandoned"})", admin);
        server.kill();  // no final checkpoint: the restart catches up from the log
    }
    belayd_process server(dir.str());
    http_client http("127.0.0.1", server.port());
    auto after = http.get("/api/sessions/" + id + "/", admin);
    CHECK(has(after.body, R"("status":"abandoned")"));
    CHECK(has(after.body, R"("last_seq":3)"));
}

TEST_CASE("a rebuild folds the whole log to the same state") {
    temp_dir dir;
    std::string admin, listing;
    {
        belayd_process server(dir.str());
        admin = server.admin_token();
        http_client http("127.0.0.1", server.port());
        for (int i = 0; i < 3; ++i)
            http.post("/api/sessions/", "{}", admin);
        listing = http.get("/api/sessions/", admin).body;
    }
    belayd_process server(dir.str(), {"--rebuild"});
    CHECK(has(server.output(), "projections: folded"));
    http_client http("127.0.0.1", server.port());
    CHECK(http.get("/api/sessions/", admin).body == listing);
}

TEST_CASE_METHOD(server_fixture, "DELETE purges a session's events, as belay inspect shows") {
    auto id = make_session(admin);
    auto url = "/api/sessions/" + id + "/";
    http.request("PATCH", url, R"({"status":"completed"})", admin);
    auto recording = id_of(
        http.post("/api/session-recordings/", R"({"name":"r","session":")" + id + R"("})", admin)
            .body);
    std::string inspect = std::string(BELAY_CLI) + " inspect ";
    auto before = run(inspect + "events " + id + " --data-dir " + dir.str());
    CHECK(has(before, "session_updated"));

    auto deleted = http.request("DELETE", url, {}, admin);
    CHECK(deleted.status == 204);
    CHECK(deleted.body.empty());
    CHECK(http.get(url, admin).status == 404);
    CHECK(http.request("PATCH", url, R"({"status":"completed"})", admin).status == 404);
    CHECK(http.get(url + "events/", admin).status == 404);
    CHECK(http.get("/api/session-recordings/" + recording + "/", admin).status == 404);
    CHECK(!has(http.get("/api/sessions/", admin).body, id));

    auto after = run(inspect + "events " + id + " --data-dir " + dir.str());
    CHECK(!has(after, "session_"));
    CHECK(has(run(inspect + "verify --data-dir " + dir.str()), "ok"));
}
