#include "belay/engine/rest_validate.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "belay/engine/validate.hpp"

using belay::engine::body_error;
using belay::engine::body_result;
using belay::engine::entity_id;
using belay::engine::recording_fields;
using belay::engine::route_fields;
using belay::engine::session_fields;
using belay::engine::to_json;
using belay::engine::user_fields;
using belay::engine::validate_recording_body;
using belay::engine::validate_route_body;
using belay::engine::validate_session_body;
using belay::engine::validate_user_body;
using belay::engine::write_mode;

namespace {

constexpr std::int64_t now = 1'760'895'877'187'000;
constexpr std::string_view uuid_text = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const entity_id uuid = *entity_id::parse(uuid_text);

constexpr std::string_view datetime_message =
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].";

template <class T>
T expect_ok(body_result<T> result) {
    if (const auto* error = std::get_if<body_error>(&result)) FAIL(to_json(*error));
    return std::get<T>(std::move(result));
}

template <class T>
body_error expect_error(body_result<T> result) {
    REQUIRE(std::holds_alternative<body_error>(result));
    return std::get<body_error>(std::move(result));
}

// The body's only error is `message` on `field`.
template <class T>
void check_error(body_result<T> result, std::string_view field, std::string_view message) {
    const body_error error = expect_error(std::move(result));
    INFO("errors: " << to_json(error));
    CHECK(error.detail.empty());
    REQUIRE(error.fields.size() == 1);
    CHECK(error.fields[0].first == field);
    CHECK(error.fields[0].second == message);
}

session_fields session_ok(std::string_view body, write_mode mode = write_mode::create) {
    INFO("body: " << body);
    return expect_ok(validate_session_body(body, mode, now));
}

void session_fails(std::string_view body, std::string_view field, std::string_view message) {
    INFO("body: " << body);
    check_error(validate_session_body(body, write_mode::create, now), field, message);
}

void recording_fails(std::string_view body, std::string_view field, std::string_view message) {
    INFO("body: " << body);
    check_error(validate_recording_body(body, write_mode::partial), field, message);
}

void route_fails(std::string_view body, std::string_view field, std::string_view message) {
    INFO("body: " << body);
    check_error(validate_route_body(body, write_mode::partial), field, message);
}

void user_fails(std::string_view body, std::string_view field, std::string_view message) {
    INFO("body: " << body);
    check_error(validate_user_body(body, write_mode::partial), field, message);
}

std::string detail_of(std::string_view body) {
    INFO("body: " << body);
    const body_error error = expect_error(validate_session_body(body, write_mode::create, now));
    CHECK(error.fields.empty());
    return error.detail;
}

std::int64_t at(std::string_view text) {
    std::int64_t us = 0;
    REQUIRE(belay::engine::parse_rfc3339(text, us));
    return us;
}

std::string hold_body(std::string_view hold) {
    return R"({"holds":[)" + std::string(hold) + "]}";
}

}  // namespace

TEST_CASE("a body that is not a JSON object gets a detail", "[rest_validate]") {
    const std::string python_empty = "JSON parse error - Expecting value: line 1 column 1 (char 0)";
    CHECK(detail_of("") == python_empty);
    CHECK(detail_of(" \n") == python_empty);
    CHECK(detail_of("{").starts_with("JSON parse error - "));
    CHECK(detail_of(R"({"status":"started"} {})").starts_with("JSON parse error - "));
    CHECK(detail_of("{\"name\":\"\xff\"}").starts_with("JSON parse error - "));
    CHECK(detail_of("[]") == "Invalid data. Expected a dictionary, but got list.");
    CHECK(detail_of(R"("text")") == "Invalid data. Expected a dictionary, but got str.");
    CHECK(detail_of("12") == "Invalid data. Expected a dictionary, but got int.");
    CHECK(detail_of("1.5") == "Invalid data. Expected a dictionary, but got float.");
    CHECK(detail_of("true") == "Invalid data. Expected a dictionary, but got bool.");
    CHECK(detail_of("null") == "Invalid data. Expected a dictionary, but got NoneType.");
}

TEST_CASE("a new session gets its defaults", "[rest_validate]") {
    const session_fields f = session_ok("{}");
    CHECK_FALSE(f.user);
    REQUIRE(f.route);
    CHECK_FALSE(*f.route);
    CHECK(f.start_time == now);
    REQUIRE(f.end_time);
    CHECK_FALSE(*f.end_time);
    CHECK(f.status == "started");
    CHECK(f.climb_data == "{}");
}

TEST_CASE("a session body with every field", "[rest_validate]") {
    const session_fields f =
        session_ok(R"({"route":"7C9E6679-7425-40DE-944B-E07FC1F90AE7",)"
                   R"( "start_time":"2025-10-19T19:44:37.187+02:00",)"
                   R"( "end_time":"2025-10-19T18:00:00Z","status":"completed",)"
                   R"( "climb_data":{"holds":[{"id":"17","type":"start","status":"completed",)"
                   R"(                         "time":"2025-01-01T12:00:02.000Z"}],)"
                   R"(               "startTime":"2025-10-19T17:44:37.187Z","endTime":null,)"
                   R"(               "status":"started"}})");
    CHECK(f.route == std::optional<entity_id>(uuid));
    CHECK(f.start_time == at("2025-10-19T17:44:37.187Z"));
    CHECK(f.end_time == std::optional<std::int64_t>(at("2025-10-19T18:00:00Z")));
    CHECK(f.status == "completed");
    CHECK(f.climb_data ==
          R"({"holds":[{"id":"17","type":"start","status":"completed",)"
          R"("time":"2025-01-01T12:00:02.000Z"}],"startTime":"2025-10-19T17:44:37.187Z",)"
          R"("endTime":null,"status":"started"})");
}

TEST_CASE("session fields accept what DRF accepts", "[rest_validate]") {
    const auto start = [](std::string_view text) {
        return session_ok(R"({"start_time":")" + std::string(text) + R"("})").start_time;
    };
    CHECK(start("2025-10-19T17:44:37.187+00:00") == at("2025-10-19T17:44:37.187Z"));
    CHECK(start("2025-10-19T17:44") == at("2025-10-19T17:44:00Z"));
    CHECK(start("2025-10-19T17:44+02:00") == at("2025-10-19T15:44:00Z"));
    CHECK(start("2025-10-19T17:44:37.5") == at("2025-10-19T17:44:37.5Z"));
    CHECK(start("2025-10-19 17:44:37+0200") == at("2025-10-19T15:44:37Z"));
    CHECK(start("2025-10-19T17:44:37-03") == at("2025-10-19T20:44:37Z"));

    const auto route = [](std::string_view text) {
        return session_ok(R"({"route":")" + std::string(text) + R"("})").route;
    };
    CHECK(route("7c9e6679742540de944be07fc1f90ae7") == std::optional<entity_id>(uuid));
    CHECK(route("{7c9e6679-7425-40de-944b-e07fc1f90ae7}") == std::optional<entity_id>(uuid));
    CHECK(route("urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7") == std::optional<entity_id>(uuid));

    const session_fields nulls = session_ok(R"({"route":null,"end_time":null})");
    REQUIRE(nulls.route);
    CHECK_FALSE(*nulls.route);
    REQUIRE(nulls.end_time);
    CHECK_FALSE(*nulls.end_time);
}

TEST_CASE("each session field refuses what DRF refuses", "[rest_validate]") {
    session_fails(R"({"route":"nope"})", "route", "Must be a valid UUID.");
    session_fails(R"({"route":12})", "route", "Must be a valid UUID.");
    session_fails(R"({"route":"7c9e6679-7425-40de-944b-e07fc1f90ae"})", "route",
                  "Must be a valid UUID.");
    session_fails(R"({"start_time":null})", "start_time", "This field may not be null.");
    session_fails(R"({"start_time":"yesterday"})", "start_time", datetime_message);
    session_fails(R"({"start_time":1760895877})", "start_time", datetime_message);
    session_fails(R"({"end_time":"2025-13-01T00:00:00Z"})", "end_time", datetime_message);
    session_fails(R"({"status":"flying"})", "status", "\"flying\" is not a valid choice.");
    session_fails(R"({"status":5})", "status", "\"5\" is not a valid choice.");
    session_fails(R"({"status":""})", "status", "\"\" is not a valid choice.");
    session_fails(R"({"status":null})", "status", "This field may not be null.");
    session_fails(R"({"climb_data":null})", "climb_data", "This field may not be null.");
    session_fails(R"({"climb_data":[]})", "climb_data",
                  "Expected a dictionary of items but got type \"list\".");
}

TEST_CASE("climb_data is validated as a climb_update's climb", "[rest_validate]") {
    session_fails(R"({"climb_data":{"status":"started"}})", "climb_data.holds",
                  "This field is required.");
    session_fails(R"({"climb_data":{"holds":[{"id":"1","type":"start","status":"flying"}]}})",
                  "climb_data.holds[0].status", "\"flying\" is not a valid choice.");
    session_fails(R"({"climb_data":{"holds":[],"startTime":"soon"}})", "climb_data.startTime",
                  datetime_message);
    session_fails(R"({"climb_data":{"holds":{}}})", "climb_data.holds",
                  "Expected an array but got an object.");
    CHECK(session_ok(R"({"climb_data":{ }})").climb_data == "{}");
    CHECK(session_ok(R"({"climb_data":{"holds":[ ]}})").climb_data == R"({"holds":[]})");
}

TEST_CASE("PATCH and PUT of a session set only what the body holds", "[rest_validate]") {
    for (const write_mode mode : {write_mode::partial, write_mode::replace}) {
        const session_fields none = session_ok("{}", mode);
        CHECK_FALSE(none.route);
        CHECK_FALSE(none.start_time);
        CHECK_FALSE(none.end_time);
        CHECK_FALSE(none.status);
        CHECK_FALSE(none.climb_data);

        const session_fields some =
            session_ok(R"({"status":"completed","end_time":"2025-10-19T18:00:00Z"})", mode);
        CHECK(some.status == "completed");
        CHECK(some.end_time == std::optional<std::int64_t>(at("2025-10-19T18:00:00Z")));
        CHECK_FALSE(some.route);
        CHECK_FALSE(some.start_time);
        CHECK_FALSE(some.climb_data);
    }
}

TEST_CASE("read-only and unknown fields are ignored", "[rest_validate]") {
    const session_fields f = session_ok(
        R"({"id":"x","user":"mallory","created":1,"updated":[],"last_seq":"a","event_count":null,
            "pose_frames":{},"whatever":true,"status":"abandoned"})",
        write_mode::partial);
    CHECK_FALSE(f.user);
    CHECK(f.status == "abandoned");

    const user_fields u = expect_ok(
        validate_user_body(R"({"username":"bob","token_sha256":"ab"})", write_mode::create));
    CHECK_FALSE(u.token_sha256);
}

TEST_CASE("a repeated key: the last copy wins, as in Python", "[rest_validate]") {
    CHECK(session_ok(R"({"status":"flying","status":"completed"})").status == "completed");
}

TEST_CASE("every bad field is reported, in declaration order", "[rest_validate]") {
    const body_error error = expect_error(validate_session_body(
        R"({"status":"flying","start_time":"never","route":"x"})", write_mode::create, now));
    REQUIRE(error.fields.size() == 3);
    CHECK(error.fields[0] == std::pair<std::string, std::string>("route", "Must be a valid UUID."));
    CHECK(error.fields[1].first == "start_time");
    CHECK(error.fields[2].first == "status");

    const body_error missing = expect_error(validate_recording_body("{}", write_mode::create));
    CHECK(to_json(missing) ==
          R"({"name":["This field is required."],"session":["This field is required."]})");
}

TEST_CASE("a new recording gets its defaults", "[rest_validate]") {
    const recording_fields f = expect_ok(validate_recording_body(
        R"({"name":"  Morning  ","session":")" + std::string(uuid_text) + R"("})",
        write_mode::create));
    CHECK(f.name == "Morning");
    CHECK(f.description == "");
    CHECK(f.session == uuid);
    CHECK(f.duration == 0.0);
    CHECK(f.frame_count == 0);
    CHECK(f.video_file_path == "");
    CHECK(f.status == "recording");
}

TEST_CASE("PUT needs a recording's required fields, PATCH does not", "[rest_validate]") {
    check_error(validate_recording_body(R"({"name":"a"})", write_mode::replace), "session",
                "This field is required.");
    const recording_fields put = expect_ok(validate_recording_body(
        R"({"name":"a","session":")" + std::string(uuid_text) + R"("})", write_mode::replace));
    CHECK_FALSE(put.description);
    CHECK_FALSE(put.duration);
    CHECK_FALSE(put.status);

    const recording_fields patch =
        expect_ok(validate_recording_body(R"({"frame_count":12})", write_mode::partial));
    CHECK(patch.frame_count == 12);
    CHECK_FALSE(patch.name);
    CHECK_FALSE(patch.session);
}

TEST_CASE("recording text fields", "[rest_validate]") {
    const std::string longest(255, 'n');
    std::string e_acute;
    for (int i = 0; i < 255; ++i)
        e_acute += "\xc3\xa9";
    const auto name = [](const std::string& text) {
        return expect_ok(
                   validate_recording_body(R"({"name":")" + text + R"("})", write_mode::partial))
            .name;
    };
    CHECK(name(longest) == longest);
    CHECK(name(e_acute) == e_acute);  // 255 characters, 510 bytes
    recording_fails(R"({"name":")" + longest + R"(n"})", "name",
                    "Ensure this field has no more than 255 characters.");
    recording_fails(R"({"name":""})", "name", "This field may not be blank.");
    recording_fails(R"({"name":" \t "})", "name", "This field may not be blank.");
    recording_fails(R"({"name":5})", "name", "Not a valid string.");
    recording_fails(R"({"name":null})", "name", "This field may not be null.");
    recording_fails(R"({"description":["a"]})", "description", "Not a valid string.");
    recording_fails(R"({"video_file_path":")" + std::string(1025, 'p') + R"("})", "video_file_path",
                    "Ensure this field has no more than 1024 characters.");
    recording_fails(R"({"status":"done"})", "status", "\"done\" is not a valid choice.");
    recording_fails(R"({"session":"7c9e6679"})", "session", "Must be a valid UUID.");
    recording_fails(R"({"session":null})", "session", "This field may not be null.");
}

TEST_CASE("recording numbers", "[rest_validate]") {
    const auto patch = [](std::string_view body) {
        return expect_ok(validate_recording_body(body, write_mode::partial));
    };
    CHECK(patch(R"({"duration":12.5})").duration == 12.5);
    CHECK(patch(R"({"duration":3})").duration == 3.0);
    CHECK(patch(R"({"duration":" 1.25 "})").duration == 1.25);
    CHECK(patch(R"({"frame_count":"42"})").frame_count == 42);
    CHECK(patch(R"({"frame_count":42.0})").frame_count == 42);
    CHECK(patch(R"({"frame_count":"42.00"})").frame_count == 42);

    recording_fails(R"({"duration":-0.5})", "duration",
                    "Ensure this value is greater than or equal to 0.");
    recording_fails(R"({"duration":"fast"})", "duration", "A valid number is required.");
    recording_fails(R"({"duration":"nan"})", "duration", "A valid number is required.");
    recording_fails(R"({"duration":true})", "duration", "A valid number is required.");
    recording_fails(R"({"frame_count":-1})", "frame_count",
                    "Ensure this value is greater than or equal to 0.");
    recording_fails(R"({"frame_count":1.5})", "frame_count", "A valid integer is required.");
    recording_fails(R"({"frame_count":"1.5"})", "frame_count", "A valid integer is required.");
    recording_fails(R"({"frame_count":false})", "frame_count", "A valid integer is required.");
    recording_fails(R"({"frame_count":1e20})", "frame_count", "A valid integer is required.");
    recording_fails(R"({"frame_count":18446744073709551615})", "frame_count",
                    "Ensure this value is less than or equal to 9223372036854775807.");
}

TEST_CASE("a new route gets its defaults; holds are stored canonically", "[rest_validate]") {
    const route_fields f =
        expect_ok(validate_route_body(R"({"name":"Crimpy"})", write_mode::create));
    CHECK(f.grade == "");
    CHECK(f.holds == "[]");

    const route_fields g = expect_ok(validate_route_body(
        R"({"name":"Crimpy","grade":"V4","holds":[
              {"y":0.25,"x":"0.5","type":"start","id":"17","color":"red"},
              {"id":133,"type":"finish","x":1,"y":0}]})",
        write_mode::create));
    CHECK(g.grade == "V4");
    CHECK(g.holds == R"([{"id":"17","type":"start","x":0.5,"y":0.25},)"
                     R"({"id":133,"type":"finish","x":1,"y":0}])");
}

TEST_CASE("stored holds read back byte for byte", "[rest_validate]") {
    // fmt and simdjson spell these doubles differently; the stored text is simdjson's.
    const route_fields f = expect_ok(validate_route_body(
        hold_body(R"({"id":1,"type":"normal","x":0.3990535792111016,"y":-0e9},)"
                  R"({"id":2,"type":"normal","x":"1e-7","y":"0.848498692458796"})"),
        write_mode::partial));
    REQUIRE(f.holds);
    const std::string payload = belay::engine::to_payload(f);
    route_fields back;
    REQUIRE(belay::engine::parse_payload(payload, back));
    CHECK(back.holds == f.holds);
}

TEST_CASE("route fields refuse what DRF refuses", "[rest_validate]") {
    check_error(validate_route_body(R"({"grade":"V4"})", write_mode::create), "name",
                "This field is required.");
    route_fails(R"({"grade":")" + std::string(33, 'g') + R"("})", "grade",
                "Ensure this field has no more than 32 characters.");
    route_fails(R"({"holds":{}})", "holds", "Expected a list of items but got type \"dict\".");
    route_fails(R"({"holds":"[]"})", "holds", "Expected a list of items but got type \"str\".");
    route_fails(R"({"holds":null})", "holds", "This field may not be null.");
    route_fails(hold_body("7"), "holds[0]", "Invalid data. Expected a dictionary, but got int.");
    route_fails(hold_body(R"({"id":true,"type":"start","x":0,"y":0})"), "holds[0].id",
                "Must be a string or an integer.");
    route_fails(hold_body(R"({"id":"","type":"start","x":0,"y":0})"), "holds[0].id",
                "This field may not be blank.");
    route_fails(hold_body(R"({"id":1,"type":"top","x":0,"y":0})"), "holds[0].type",
                "\"top\" is not a valid choice.");
    route_fails(hold_body(R"({"id":1,"type":"start","x":1.5,"y":0})"), "holds[0].x",
                "Ensure this value is less than or equal to 1.");
    route_fails(hold_body(R"({"id":1,"type":"start","x":0,"y":-0.1})"), "holds[0].y",
                "Ensure this value is greater than or equal to 0.");
    route_fails(hold_body(R"({"id":1,"type":"start","x":0,"y":null})"), "holds[0].y",
                "This field may not be null.");

    std::string many = "[";
    for (int i = 0; i < 513; ++i)
        many += std::string(i ? "," : "") + R"({"id":1,"type":"normal","x":0,"y":0})";
    route_fails(R"({"holds":)" + many + "]}", "holds",
                "Ensure this field has no more than 512 elements.");
}

TEST_CASE("every bad hold field is reported with its path", "[rest_validate]") {
    const body_error error = expect_error(validate_route_body(
        hold_body(R"({"id":1,"type":"start","x":0,"y":0},{"type":"top","x":"left","y":2})"),
        write_mode::partial));
    INFO(to_json(error));
    REQUIRE(error.fields.size() == 4);
    CHECK(error.fields[0] ==
          std::pair<std::string, std::string>("holds[1].id", "This field is required."));
    CHECK(error.fields[1].first == "holds[1].type");
    CHECK(error.fields[2] ==
          std::pair<std::string, std::string>("holds[1].x", "A valid number is required."));
    CHECK(error.fields[3].first == "holds[1].y");
}

TEST_CASE("users: username and is_admin", "[rest_validate]") {
    const user_fields f =
        expect_ok(validate_user_body(R"({"username":"bob"})", write_mode::create));
    CHECK(f.username == "bob");
    CHECK(f.is_admin == false);
    CHECK_FALSE(f.token_sha256);

    const auto admin = [](std::string_view value) {
        return expect_ok(validate_user_body(R"({"is_admin":)" + std::string(value) + "}",
                                            write_mode::partial))
            .is_admin;
    };
    CHECK(admin("true") == true);
    CHECK(admin(R"("yes")") == true);
    CHECK(admin("1") == true);
    CHECK(admin(R"("off")") == false);
    CHECK(admin("0.0") == false);
    user_fails(R"({"is_admin":"maybe"})", "is_admin", "Must be a valid boolean.");
    user_fails(R"({"is_admin":2})", "is_admin", "Must be a valid boolean.");
    user_fails(R"({"is_admin":null})", "is_admin", "This field may not be null.");

    CHECK(expect_ok(validate_user_body(R"({"username":"a.b+c-d_e@f9"})", write_mode::partial))
              .username == "a.b+c-d_e@f9");
    const std::string invalid =
        "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ "
        "characters.";
    user_fails(R"({"username":"bob smith"})", "username", invalid);
    user_fails(R"({"username":"bob!"})", "username", invalid);
    user_fails(R"({"username":""})", "username", "This field may not be blank.");
    user_fails(R"({"username":")" + std::string(151, 'b') + R"("})", "username",
               "Ensure this field has no more than 150 characters.");
    check_error(validate_user_body("{}", write_mode::create), "username",
                "This field is required.");
    check_error(validate_user_body(R"({"is_admin":true})", write_mode::replace), "username",
                "This field is required.");

    const body_error both = expect_error(validate_user_body(
        R"({"username":")" + std::string(150, 'b') + R"(!"})", write_mode::create));
    REQUIRE(both.fields.size() == 2);
    CHECK(both.fields[0].second == invalid);
    CHECK(both.fields[1].second == "Ensure this field has no more than 150 characters.");
}

TEST_CASE("to_json groups messages by field, in first-seen order", "[rest_validate]") {
    body_error detail;
    detail.detail = "JSON parse error - \"bad\"";
    CHECK(to_json(detail) == R"({"detail":"JSON parse error - \"bad\""})");

    body_error fields;
    fields.fields = {
        {"status", "\"flying\" is not a valid choice."}, {"name", "first"}, {"status", "second"}};
    CHECK(to_json(fields) ==
          R"({"status":["\"flying\" is not a valid choice.","second"],"name":["first"]})");

    const body_error choice =
        expect_error(validate_session_body(R"({"status":"flying"})", write_mode::partial, now));
    CHECK(to_json(choice) == R"({"status":["\"flying\" is not a valid choice."]})");
}
