#include <algorithm>

#include "server_fixture.hpp"

using namespace belay::test;

TEST_CASE_METHOD(server_fixture, "a session is created with defaults, read, updated and listed") {
    auto created = http.post("/api/sessions/", "{}", admin);
    REQUIRE(created.status == 201);
    auto id = id_of(created.body);
    CHECK(created.header("location") == "/api/sessions/" + id + "/");
    CHECK(has(created.body, R"("user":"admin")"));
    CHECK(has(created.body, R"("status":"started")"));
    CHECK(has(created.body, R"("route":null)"));
    CHECK(has(created.body, R"("end_time":null)"));
    CHECK(has(created.body, R"("climb_data":{})"));
    CHECK(has(created.body, R"("last_seq":1,"event_count":1,"pose_frames":0)"));

    auto patched =
        http.request("PATCH", "/api/sessions/" + id + "/",
                     R"({"status":"completed","end_time":"2025-10-19T17:44:37.187+02:00"})", admin);
    REQUIRE(patched.status == 200);
    CHECK(has(patched.body, R"("status":"completed")"));
    CHECK(has(patched.body, R"("end_time":"2025-10-19T15:44:37.187Z")"));
    CHECK(has(patched.body, R"("last_seq":2)"));

    auto climb =
        R"({"climb_data":{"holds":[{"id":"17","type":"start","status":"completed","time":null}],"status":"started"}})";
    auto put = http.request("PUT", "/api/sessions/" + id + "/", climb, admin);
    REQUIRE(put.status == 200);
    CHECK(has(put.body, R"("climb_data":{"holds":[{"id":"17")"));

    auto got = http.get("/api/sessions/" + id + "/", admin);
    CHECK(got.status == 200);
    CHECK(got.body == put.body);
    auto list = http.get("/api/sessions/", admin);
    CHECK(list.status == 200);
    CHECK(list.body.front() == '[');
    CHECK(has(list.body, id));
}

TEST_CASE_METHOD(server_fixture, "bad input gets DRF-style errors and writes nothing") {
    auto id = make_session(admin);
    auto url = "/api/sessions/" + id + "/";
    auto choice = http.request("PATCH", url, R"({"status":"flying"})", admin);
    CHECK(choice.status == 400);
    CHECK(choice.body == R"({"status":["\"flying\" is not a valid choice."]})");
    auto malformed = http.request("PATCH", url, R"({"status":)", admin);
    CHECK(malformed.status == 400);
    CHECK(has(malformed.body, R"({"detail":"JSON parse error)"));
    auto list = http.request("POST", "/api/sessions/", "[1]", admin);
    CHECK(list.status == 400);
    CHECK(list.body == R"({"detail":"Invalid data. Expected a dictionary, but got list."})");
    auto empty = http.request("POST", "/api/sessions/", "", admin, "");  // DRF: no data, defaults
    CHECK(empty.status == 201);
    auto media = http.request("POST", "/api/sessions/", "status=x", admin, "text/plain");
    CHECK(media.status == 415);
    CHECK(media.body == R"({"detail":"Unsupported media type \"text/plain\" in request."})");
    auto no_length = http.raw("POST /api/sessions/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token " +
                              admin + "\r\nContent-Type: application/json\r\n\r\n");
    CHECK(no_length.status == 411);
    auto huge =
        http.raw("POST /api/sessions/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token " + admin +
                 "\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n");
    CHECK(huge.status == 413);
    auto big_head =
        http.raw("GET /api/sessions/ HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(20000, 'a') +
                 "\r\n\r\n");
    CHECK(big_head.status == 431);
    auto method = http.request("POST", url, "{}", admin);
    CHECK(method.status == 405);
    CHECK(method.header("allow") == "GET, PUT, PATCH, DELETE, HEAD");
    CHECK(http.get("/api/nothing/", admin).status == 404);
    CHECK(http.get("/api/sessions/not-a-uuid/", admin).status == 404);
    CHECK(http.get("/api/sessions/00000000-0000-4000-8000-00000000abcd/", admin).body ==
          R"({"detail":"Not found."})");
    auto after = http.get(url, admin);
    CHECK(has(after.body, R"("last_seq":1,"event_count":1)"));
}

TEST_CASE_METHOD(server_fixture, "users see only their own sessions; admins see all") {
    auto alice = make_user("alice"), bob = make_user("bob");
    auto mine = make_session(alice);
    auto url = "/api/sessions/" + mine + "/";
    CHECK(http.get(url, alice).status == 200);
    CHECK(http.get(url, bob).status == 404);
    CHECK(http.get(url, bob).body == R"({"detail":"Not found."})");
    CHECK(http.request("PATCH", url, R"({"status":"abandoned"})", bob).status == 404);
    CHECK(http.request("PUT", url, "{}", bob).status == 404);
    CHECK(http.request("DELETE", url, {}, bob).status == 404);
    CHECK(http.get(url + "events/", bob).status == 404);
    CHECK(http.get(url + "?at_seq=1", bob).status == 404);
    CHECK(!has(http.get("/api/sessions/", bob).body, mine));
    CHECK(has(http.get("/api/sessions/", admin).body, mine));
    CHECK(http.get(url, admin).status == 200);
    CHECK(has(http.get(url, alice).body, R"("status":"started")"));
}

TEST_CASE_METHOD(server_fixture, "listing filters and pages, newest first") {
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i)
        ids.push_back(make_session(admin));
    http.request("PATCH", "/api/sessions/" + ids[1] + "/", R"({"status":"completed"})", admin);
    auto page = http.get("/api/sessions/?limit=2", admin);
    CHECK(page.status == 200);
    CHECK(id_of(page.body) == ids[4]);
    CHECK(has(page.header("link"), "offset=2>; rel=\"next\""));
    auto last = http.get("/api/sessions/?limit=2&offset=4", admin);
    CHECK(id_of(last.body) == ids[0]);
    CHECK(!has(last.header("link"), "rel=\"next\""));
    CHECK(has(last.header("link"), "rel=\"prev\""));
    auto done = http.get("/api/sessions/?status=completed", admin);
    CHECK(id_of(done.body) == ids[1]);
    CHECK(std::count(done.body.begin(), done.body.end(), '{') ==
          2);  // the session and its climb_data
    CHECK(http.get("/api/sessions/?route=nope", admin).status == 400);
}

TEST_CASE_METHOD(server_fixture, "a session's events and its state at a seq") {
    auto id = make_session(admin);
    auto url = "/api/sessions/" + id + "/";
    http.request("PATCH", url, R"({"status":"completed"})", admin);
    http.request("PATCH", url, R"({"status":"abandoned"})", admin);
    auto events = http.get(url + "events/?from_seq=2&limit=1", admin);
    REQUIRE(events.status == 200);
    CHECK(has(events.body, R"("seq":2,"type":"session_updated")"));
    CHECK(!has(events.body, R"("seq":3)"));
    CHECK(has(events.header("link"), "from_seq=3"));
    auto at = http.get(url + "?at_seq=2", admin);
    CHECK(at.status == 200);
    CHECK(has(at.body, R"("status":"completed")"));
    CHECK(has(at.body, R"("last_seq":2)"));
    CHECK(http.get(url + "?at_seq=0", admin).status == 400);
    CHECK(http.get(url + "events/?from_seq=x", admin).status == 400);
}
