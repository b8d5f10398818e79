#include "belay/engine/payloads.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "belay/engine/validate.hpp"

using belay::engine::climb_of;
using belay::engine::entity_id;
using belay::engine::parse_payload;
using belay::engine::pose_of;
using belay::engine::recording_fields;
using belay::engine::route_fields;
using belay::engine::session_fields;
using belay::engine::to_payload;
using belay::engine::user_fields;

namespace {

const entity_id route_id = *entity_id::parse("0f8fad5b-d9cb-469f-a165-70867728950e");
const entity_id session_uuid = *entity_id::parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");

std::int64_t at(std::string_view text) {
    std::int64_t us = 0;
    REQUIRE(belay::engine::parse_rfc3339(text, us));
    return us;
}

template <class Fields>
Fields round_trip(const Fields& in) {
    const std::string json = to_payload(in);
    INFO("payload: " << json);
    Fields out;
    REQUIRE(parse_payload(json, out));
    CHECK(to_payload(out) == json);
    return out;
}

template <class Fields>
bool parses_as(std::string_view json) {
    Fields out;
    return parse_payload(json, out);
}

}  // namespace

TEST_CASE("a full session payload is compact, in struct order", "[payloads]") {
    session_fields f;
    f.user = "alice";
    f.route = route_id;
    f.start_time = at("2025-10-19T17:44:37.187Z");
    f.end_time = std::optional<std::int64_t>(at("2025-10-19T18:00:00.000Z"));
    f.status = "started";
    f.climb_data = R"({"holds":[],"status":"started"})";
    CHECK(to_payload(f) ==
          R"({"user":"alice","route":"0f8fad5b-d9cb-469f-a165-70867728950e",)"
          R"("start_time":"2025-10-19T17:44:37.187Z","end_time":"2025-10-19T18:00:00.000Z",)"
          R"("status":"started","climb_data":{"holds":[],"status":"started"}})");

    const session_fields back = round_trip(f);
    CHECK(back.user == f.user);
    CHECK(back.route == f.route);
    CHECK(back.start_time == f.start_time);
    CHECK(back.end_time == f.end_time);
    CHECK(back.status == f.status);
    CHECK(back.climb_data == f.climb_data);
}

TEST_CASE("session payloads tell null from absent", "[payloads]") {
    session_fields nulls;
    nulls.route.emplace();
    nulls.end_time.emplace();
    CHECK(to_payload(nulls) == R"({"route":null,"end_time":null})");
    const session_fields back = round_trip(nulls);
    REQUIRE(back.route.has_value());
    CHECK_FALSE(back.route->has_value());
    REQUIRE(back.end_time.has_value());
    CHECK_FALSE(back.end_time->has_value());
    CHECK_FALSE(back.user);
    CHECK_FALSE(back.start_time);
    CHECK_FALSE(back.status);
    CHECK_FALSE(back.climb_data);

    const session_fields none = round_trip(session_fields{});
    CHECK(to_payload(session_fields{}) == "{}");
    CHECK_FALSE(none.route);
    CHECK_FALSE(none.end_time);
}

TEST_CASE("session times keep milliseconds", "[payloads]") {
    session_fields f;
    f.start_time = at("2025-10-19T17:44:37.187654Z");  // µs are cut to ms
    session_fields back;
    REQUIRE(parse_payload(to_payload(f), back));
    CHECK(back.start_time == at("2025-10-19T17:44:37.187Z"));
}

TEST_CASE("a session's climb_data is stored as given and read back compact", "[payloads]") {
    session_fields back;
    REQUIRE(parse_payload(R"({ "climb_data" : { "holds" : [ ] , "status" : "started" } })", back));
    CHECK(back.climb_data == R"({"holds":[],"status":"started"})");
}

TEST_CASE("recording payloads round trip", "[payloads]") {
    recording_fields f;
    f.name = "Morning \"send\"\n\\ é";
    f.description = "";
    f.session = session_uuid;
    f.duration = 12.345;
    f.frame_count = 370;
    f.video_file_path = "/videos/a.mp4";
    f.status = "recording";
    CHECK(to_payload(f) ==
          R"({"name":"Morning \"send\"\n\\ é","description":"",)"
          R"("session":"7c9e6679-7425-40de-944b-e07fc1f90ae7","duration":12.345,)"
          R"("frame_count":370,"video_file_path":"/videos/a.mp4","status":"recording"})");
    const recording_fields back = round_trip(f);
    CHECK(back.name == f.name);
    CHECK(back.description == f.description);
    CHECK(back.session == f.session);
    CHECK(back.duration == f.duration);
    CHECK(back.frame_count == f.frame_count);
    CHECK(back.video_file_path == f.video_file_path);
    CHECK(back.status == f.status);
}

TEST_CASE("recording durations round trip exactly", "[payloads]") {
    for (const double duration :
         {0.0, -0.0, 2.0, 0.1, 1.0 / 3.0, 1e-300, 123456789.123456789, 1e300, 5e-324}) {
        recording_fields f;
        f.duration = duration;
        INFO("duration " << duration << " as " << to_payload(f));
        const recording_fields back = round_trip(f);
        REQUIRE(back.duration);
        CHECK(*back.duration == duration);
        CHECK(std::signbit(*back.duration) == std::signbit(duration));
    }
    recording_fields whole;
    whole.duration = 2.0;
    CHECK(to_payload(whole) == R"({"duration":2})");
}

TEST_CASE("route payloads round trip with their holds", "[payloads]") {
    route_fields f;
    f.name = "Crimpy";
    f.grade = "V4";
    f.holds =
        R"([{"id":"17","type":"start","x":0.5,"y":0.25},{"id":3,"type":"finish","x":1,"y":0}])";
    CHECK(to_payload(f) == R"({"name":"Crimpy","grade":"V4","holds":)" + *f.holds + "}");
    const route_fields back = round_trip(f);
    CHECK(back.name == f.name);
    CHECK(back.grade == f.grade);
    CHECK(back.holds == f.holds);

    route_fields empty;
    empty.holds = "[]";
    CHECK(round_trip(empty).holds == "[]");
}

TEST_CASE("user payloads round trip", "[payloads]") {
    user_fields f;
    f.username = "bob";
    f.token_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    f.is_admin = false;
    CHECK(to_payload(f) ==
          R"({"username":"bob","token_sha256":")" + *f.token_sha256 + R"(","is_admin":false})");
    const user_fields back = round_trip(f);
    CHECK(back.username == f.username);
    CHECK(back.token_sha256 == f.token_sha256);
    CHECK(back.is_admin == false);

    user_fields admin;
    admin.is_admin = true;
    CHECK(round_trip(admin).is_admin == true);
}

TEST_CASE("parse_payload refuses what to_payload does not write", "[payloads]") {
    CHECK_FALSE(parses_as<session_fields>(""));
    CHECK_FALSE(parses_as<session_fields>("{"));
    CHECK_FALSE(parses_as<session_fields>("[]"));
    CHECK_FALSE(parses_as<session_fields>("null"));
    CHECK_FALSE(parses_as<session_fields>(R"({"status":"started"} x)"));
    CHECK_FALSE(parses_as<session_fields>(R"({"unknown":1})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"status":"a","status":"b"})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"route":null,"route":null})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"user":null})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"route":"not-a-uuid"})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"route":7})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"start_time":null})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"start_time":"yesterday"})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"end_time":1760000000})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"climb_data":[]})"));
    CHECK_FALSE(parses_as<session_fields>(R"({"climb_data":"{}"})"));

    CHECK_FALSE(parses_as<recording_fields>(R"({"duration":"1.5"})"));
    CHECK_FALSE(parses_as<recording_fields>(R"({"duration":null})"));
    CHECK_FALSE(parses_as<recording_fields>(R"({"frame_count":1.5})"));
    CHECK_FALSE(parses_as<recording_fields>(R"({"frame_count":18446744073709551615})"));
    CHECK_FALSE(parses_as<recording_fields>(R"({"session":null})"));
    CHECK_FALSE(parses_as<recording_fields>(R"({"user":"alice"})"));

    CHECK_FALSE(parses_as<route_fields>(R"({"holds":{}})"));
    CHECK_FALSE(parses_as<route_fields>(R"({"grade":4})"));

    CHECK_FALSE(parses_as<user_fields>(R"({"is_admin":"true"})"));
    CHECK_FALSE(parses_as<user_fields>(R"({"is_admin":1})"));
    CHECK_FALSE(parses_as<user_fields>(R"({"token_sha256":false})"));
}

TEST_CASE("parse_payload replaces what `out` held", "[payloads]") {
    session_fields f;
    f.user = "alice";
    f.status = "started";
    REQUIRE(parse_payload(R"({"status":"completed"})", f));
    CHECK_FALSE(f.user);
    CHECK(f.status == "completed");

    // A failed parse leaves `out` as it was.
    REQUIRE_FALSE(parse_payload(R"({"status":"abandoned","route":1})", f));
    CHECK(f.status == "completed");
}

TEST_CASE("climb_of and pose_of slice the validator's payloads", "[payloads]") {
    CHECK(climb_of(R"({"climb":{"holds":[]}})") == R"({"holds":[]})");
    CHECK(pose_of(R"({"pose":[{"x":0.5,"y":0.3}]})") == R"([{"x":0.5,"y":0.3}])");

    CHECK(climb_of(R"({"pose":[]})").empty());
    CHECK(pose_of(R"({"climb":{}})").empty());
    CHECK(climb_of(R"({"climb":{})") == "{");  // the shape only: the validator wrote it
    CHECK(climb_of(R"({"climb":)").empty());
    CHECK(climb_of(R"({"climb":})").empty());
    CHECK(climb_of(R"({"climb":{}} )").empty());
    CHECK(climb_of("").empty());
    CHECK(pose_of(R"( {"pose":[]})").empty());
}
