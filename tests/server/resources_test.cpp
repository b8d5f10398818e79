#include "server_fixture.hpp"

using namespace belay::test;

TEST_CASE_METHOD(server_fixture, "recordings belong to a visible session and to their user") {
    auto alice = make_user("alice"), bob = make_user("bob");
    auto session = make_session(alice);
    auto created =
        http.post("/api/session-recordings/",
                  R"({"name":"Try 1","session":")" + session + R"(","duration":12.5})", alice);
    REQUIRE(created.status == 201);
    auto id = id_of(created.body);
    CHECK(has(created.body, R"("name":"Try 1")"));
    CHECK(has(created.body, R"("user":"alice")"));
    CHECK(has(created.body, R"("status":"recording")"));
    CHECK(has(created.body, R"("duration":12.5)"));
    auto url = "/api/session-recordings/" + id + "/";
    CHECK(http.get(url, bob).status == 404);
    auto foreign = http.post("/api/session-recordings/",
                             R"({"name":"x","session":")" + session + R"("})", bob);
    CHECK(foreign.status == 400);
    CHECK(has(foreign.body, R"({"session":["Invalid pk)"));
    auto missing =
        http.post("/api/session-recordings/", R"({"session":")" + session + R"("})", alice);
    CHECK(missing.body == R"({"name":["This field is required."]})");
    auto patched = http.request("PATCH", url, R"({"status":"completed","frame_count":300})", alice);
    CHECK(patched.status == 200);
    CHECK(has(patched.body, R"("frame_count":300)"));
    CHECK(has(http.get("/api/session-recordings/", alice).body, id));
    CHECK(!has(http.get("/api/session-recordings/", bob).body, id));
    CHECK(http.request("DELETE", url, {}, alice).status == 204);
    CHECK(http.get(url, alice).status == 404);
}

TEST_CASE_METHOD(server_fixture, "routes are shared by everyone") {
    auto bob = make_user("bob");
    auto created = http.post(
        "/api/routes/",
        R"({"name":"Blue","grade":"6a","holds":[{"id":"17","type":"start","x":0.2,"y":0.9},{"id":"72","type":"finish","x":0.5,"y":0.1}]})",
        admin);
    REQUIRE(created.status == 201);
    auto id = id_of(created.body);
    auto got = http.get("/api/routes/" + id + "/", bob);
    CHECK(got.status == 200);
    CHECK(has(got.body, R"("holds":[{"id":"17","type":"start","x":0.2,"y":0.9})"));
    CHECK(has(http.get("/api/routes/", bob).body, id));
    auto bad = http.post("/api/routes/",
                         R"({"name":"x","holds":[{"id":"1","type":"top","x":2,"y":0}]})", bob);
    CHECK(bad.status == 400);
    CHECK(http.request("DELETE", "/api/routes/" + id + "/", {}, bob).status == 405);
    auto session = make_session(bob, R"({"route":")" + id + R"("})");
    CHECK(has(http.get("/api/sessions/?route=" + id, bob).body, session));
}
