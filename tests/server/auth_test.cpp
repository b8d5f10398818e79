#include <sys/stat.h>

#include "server_fixture.hpp"

using namespace belay::test;

TEST_CASE_METHOD(server_fixture, "the first start creates admin with a private token file") {
    REQUIRE(admin.size() == 64);
    struct stat st {};
    REQUIRE(::stat((dir.path() / "admin.token").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(has(server.output(), "created the user admin"));
    CHECK(!has(server.output(), admin));  // the token itself is never printed
    auto me = http.get("/api/users/me/", admin);
    CHECK(me.status == 200);
    CHECK(me.body == R"({"username":"admin","is_admin":true})");
}

TEST_CASE_METHOD(server_fixture, "requests without valid credentials get 401") {
    auto none = http.get("/api/sessions/");
    CHECK(none.status == 401);
    CHECK(none.body == R"({"detail":"Authentication credentials were not provided."})");
    CHECK(none.header("www-authenticate") == "Token");
    CHECK(none.header("content-type") == "application/json");
    auto bad = http.get("/api/sessions/", "0000");
    CHECK(bad.status == 401);
    CHECK(bad.body == R"({"detail":"Invalid token."})");
    auto scheme = http.request("GET", "/api/users/me/", {}, {});
    CHECK(scheme.status == 401);
    auto bearer = http.raw("GET /api/users/me/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                           admin + "\r\n\r\n");
    CHECK(bearer.status == 200);
    auto basic = http.raw("GET /api/users/me/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " +
                          admin + "\r\n\r\n");
    CHECK(basic.status == 401);
}

TEST_CASE_METHOD(server_fixture, "admins create users; tokens are shown once and work") {
    auto bob = make_user("bob");
    auto me = http.get("/api/users/me/", bob);
    CHECK(me.body == R"({"username":"bob","is_admin":false})");
    auto again = http.post("/api/users/", R"({"username":"bob"})", admin);
    CHECK(again.status == 400);
    CHECK(again.body == R"({"username":["A user with that username already exists."]})");
    auto by_bob = http.post("/api/users/", R"({"username":"eve"})", bob);
    CHECK(by_bob.status == 403);
    CHECK(by_bob.body == R"({"detail":"You do not have permission to perform this action."})");
    auto invalid = http.post("/api/users/", R"({"username":"no spaces"})", admin);
    CHECK(invalid.status == 400);
    CHECK(has(invalid.body, "\"username\""));
    auto listing = http.get("/api/users/", admin);
    CHECK(listing.status == 405);
    CHECK(listing.header("allow") == "POST");
}

TEST_CASE_METHOD(server_fixture, "healthz and metrics answer without auth") {
    auto health = http.get("/healthz");
    CHECK(health.status == 200);
    CHECK(has(health.body, R"("status":"ok")"));
    make_session(admin);
    auto metrics = http.get("/metrics");
    CHECK(metrics.status == 200);
    CHECK(has(metrics.header("content-type"), "text/plain"));
    CHECK(has(
        metrics.body,
        "belay_http_requests_total{route=\"/api/sessions/\",method=\"POST\",status=\"201\"} 1"));
    CHECK(has(metrics.body, "belay_append_latency_seconds_count 1"));
    CHECK(has(metrics.body, "belay_open_connections"));
    CHECK(has(metrics.body, "belay_log_bytes"));
    CHECK(http.request("POST", "/healthz", "{}").status == 405);
}
