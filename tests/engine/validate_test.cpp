#include "belay/engine/validate.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

using belay::engine::code_name;
using belay::engine::event_type;
using belay::engine::is_valid_json;
using belay::engine::message_validator;
using belay::engine::parse_rfc3339;
using belay::engine::validated_message;
using belay::engine::validation_code;
using belay::engine::validation_error;
using belay::engine::validation_limits;

namespace {

validation_error expect_error(message_validator& validator, std::string_view text) {
    auto result = validator.validate(text);
    INFO("message: " << text);
    REQUIRE(std::holds_alternative<validation_error>(result));
    return std::get<validation_error>(result);
}

validated_message expect_ok(message_validator& validator, std::string_view text) {
    auto result = validator.validate(text);
    INFO("message: " << text);
    if (auto* error = std::get_if<validation_error>(&result)) FAIL(error->message);
    return std::get<validated_message>(result);
}

void check_error(message_validator& validator, std::string_view text, validation_code code,
                 std::string_view field) {
    const validation_error error = expect_error(validator, text);
    INFO("message: " << text << "\nerror: " << error.message);
    CHECK(code_name(error.code) == code_name(code));
    CHECK(error.field == field);
    CHECK_FALSE(error.message.empty());
    if (!field.empty()) CHECK(error.message.find(std::string(field)) != std::string::npos);
}

std::int64_t parse_or_fail(std::string_view text) {
    std::int64_t us = -1;
    INFO("timestamp: " << text);
    REQUIRE(parse_rfc3339(text, us));
    return us;
}

bool parses(std::string_view text) {
    std::int64_t us = 0;
    return parse_rfc3339(text, us);
}

// {"type":"climb_update","climb":{"holds":[<hold>]}} with the given hold object text.
std::string climb_with_hold(std::string_view hold) {
    return R"({"type":"climb_update","climb":{"holds":[)" + std::string(hold) + "]}}";
}

std::string pose_with_landmark(std::string_view landmark) {
    return R"({"type":"pose_update","pose":[)" + std::string(landmark) + "]}";
}

constexpr std::string_view good_hold = R"({"id":"17","type":"start","status":"completed"})";

}  // namespace

TEST_CASE("code_name gives the wire names", "[validate]") {
    CHECK(code_name(validation_code::message_too_large) == "message_too_large");
    CHECK(code_name(validation_code::invalid_json) == "invalid_json");
    CHECK(code_name(validation_code::not_an_object) == "not_an_object");
    CHECK(code_name(validation_code::missing_field) == "missing_field");
    CHECK(code_name(validation_code::wrong_type) == "wrong_type");
    CHECK(code_name(validation_code::invalid_choice) == "invalid_choice");
    CHECK(code_name(validation_code::invalid_timestamp) == "invalid_timestamp");
    CHECK(code_name(validation_code::invalid_value) == "invalid_value");
    CHECK(code_name(validation_code::too_many_items) == "too_many_items");
    CHECK(code_name(validation_code::unknown_type) == "unknown_type");
    CHECK(code_name(validation_code::empty_update) == "empty_update");
}

TEST_CASE("a valid session_update becomes session_updated", "[validate]") {
    message_validator v;
    const auto msg = expect_ok(v, R"({ "type" : "session_update", "id": "m-1",
        "status": "completed", "end_time": "2025-10-19T17:44:37.187Z", "extra": [1, 2] })");
    CHECK(msg.type == event_type::session_updated);
    CHECK(msg.client_id == "m-1");
    CHECK(msg.payload == R"({"status":"completed","end_time":"2025-10-19T17:44:37.187Z"})");
}

TEST_CASE("session_update payload keeps contract order and normalises times", "[validate]") {
    message_validator v;
    const auto msg = expect_ok(v, R"({"end_time":null,"start_time":"2025-10-19T19:44:37.1876+02:00",
        "status":"abandoned","type":"session_update"})");
    CHECK(msg.client_id.empty());
    CHECK(msg.payload ==
          R"({"status":"abandoned","start_time":"2025-10-19T17:44:37.187Z","end_time":null})");

    CHECK(
        expect_ok(v, R"({"type":"session_update","start_time":"2025-01-01t00:00:00z"})").payload ==
        R"({"start_time":"2025-01-01T00:00:00.000Z"})");
    CHECK(expect_ok(v, R"({"type":"session_update","end_time":"1969-12-31T23:59:59.9995Z"})")
              .payload == R"({"end_time":"1969-12-31T23:59:59.999Z"})");
    CHECK(expect_ok(v, R"({"type":"session_update","status":"started"})").payload ==
          R"({"status":"started"})");
}

TEST_CASE("session_update rules", "[validate]") {
    message_validator v;
    check_error(v, R"({"type":"session_update"})", validation_code::empty_update, "");
    check_error(v, R"({"type":"session_update","other":1})", validation_code::empty_update, "");
    check_error(v, R"({"type":"session_update","status":"flying"})",
                validation_code::invalid_choice, "status");
    check_error(v, R"({"type":"session_update","status":3})", validation_code::wrong_type,
                "status");
    check_error(v, R"({"type":"session_update","status":null})", validation_code::wrong_type,
                "status");
    check_error(v, R"({"type":"session_update","start_time":"yesterday"})",
                validation_code::invalid_timestamp, "start_time");
    check_error(v, R"({"type":"session_update","start_time":12})", validation_code::wrong_type,
                "start_time");
    check_error(v, R"({"type":"session_update","end_time":"2025-02-30T00:00:00Z"})",
                validation_code::invalid_timestamp, "end_time");
    check_error(v, R"({"type":"session_update","end_time":{}})", validation_code::wrong_type,
                "end_time");
    check_error(v, R"({"type":"session_update","status":"started","status":"completed"})",
                validation_code::invalid_value, "status");

    const auto error = expect_error(v, R"({"type":"session_update","status":"flying"})");
    CHECK(error.message == R"(Field "status": "flying" is not a valid choice.)");
}

TEST_CASE("a valid climb_update keeps the climb verbatim but compact", "[validate]") {
    message_validator v;
    const auto msg = expect_ok(v, R"({"type": "climb_update", "id": "c", "climb": {
        "holds": [
            {"id": "17", "type": "start", "status": "completed",
             "time": "2025-01-01T12:00:02.000Z", "x": 0.25, "note": {"a": [true, null]}},
            {"id": 133, "type": "normal", "status": "untouched", "time": null},
            {"id": "72", "type": "finish", "status": "grabbed"}
        ],
        "startTime": "2025-10-19T17:44:37.187+00:00", "endTime": null, "status": "started",
        "grade": "6a" }, "ignored": "top level"})");
    CHECK(msg.type == event_type::climb_updated);
    CHECK(msg.client_id == "c");
    CHECK(msg.payload ==
          R"({"climb":{"holds":[{"id":"17","type":"start","status":"completed",)"
          R"("time":"2025-01-01T12:00:02.000Z","x":0.25,"note":{"a":[true,null]}},)"
          R"({"id":133,"type":"normal","status":"untouched","time":null},)"
          R"({"id":"72","type":"finish","status":"grabbed"}],)"
          R"("startTime":"2025-10-19T17:44:37.187+00:00","endTime":null,"status":"started",)"
          R"("grade":"6a"}})");
    CHECK(msg.payload.find("\"type\":\"climb_update\"") == std::string::npos);
    CHECK(msg.payload.find("ignored") == std::string::npos);
    CHECK(is_valid_json(msg.payload));

    CHECK(expect_ok(v, R"({"type":"climb_update","climb":{"holds":[]}})").payload ==
          R"({"climb":{"holds":[]}})");
    for (std::string_view status : {"waiting", "started", "completed", "failed"}) {
        const std::string text = R"({"type":"climb_update","climb":{"holds":[],"status":")" +
                                 std::string(status) + "\"}}";
        CHECK(expect_ok(v, text).type == event_type::climb_updated);
    }
    for (std::string_view status : {"untouched", "grabbed", "completed", "released", "failed"}) {
        const std::string hold =
            R"({"id":"1","type":"normal","status":")" + std::string(status) + "\"}";
        CHECK(expect_ok(v, climb_with_hold(hold)).type == event_type::climb_updated);
    }
}

TEST_CASE("climb_update rules", "[validate]") {
    message_validator v;
    check_error(v, R"({"type":"climb_update"})", validation_code::missing_field, "climb");
    check_error(v, R"({"type":"climb_update","climb":[]})", validation_code::wrong_type, "climb");
    check_error(v, R"({"type":"climb_update","climb":null})", validation_code::wrong_type, "climb");
    check_error(v, R"({"type":"climb_update","climb":{}})", validation_code::missing_field,
                "climb.holds");
    check_error(v, R"({"type":"climb_update","climb":{"holds":{}}})", validation_code::wrong_type,
                "climb.holds");
    check_error(v, R"({"type":"climb_update","climb":{"holds":[],"startTime":"noon"}})",
                validation_code::invalid_timestamp, "climb.startTime");
    check_error(v, R"({"type":"climb_update","climb":{"holds":[],"startTime":true}})",
                validation_code::wrong_type, "climb.startTime");
    check_error(v,
                R"({"type":"climb_update","climb":{"holds":[],"endTime":"2025-13-01T00:00:00Z"}})",
                validation_code::invalid_timestamp, "climb.endTime");
    check_error(v, R"({"type":"climb_update","climb":{"holds":[],"endTime":1}})",
                validation_code::wrong_type, "climb.endTime");
    check_error(v, R"({"type":"climb_update","climb":{"holds":[],"status":"abandoned"}})",
                validation_code::invalid_choice, "climb.status");
    check_error(v, R"({"type":"climb_update","climb":{"holds":[],"status":false}})",
                validation_code::wrong_type, "climb.status");
    check_error(v, R"({"type":"climb_update","climb":{"holds":[],"holds":[]}})",
                validation_code::invalid_value, "climb.holds");
}

TEST_CASE("hold rules", "[validate]") {
    message_validator v;
    const std::string two_holds = R"({"type":"climb_update","climb":{"holds":[)" +
                                  std::string(good_hold) + "," + std::string(good_hold) + "," +
                                  R"({"id":"9","type":"normal","status":"flying"}]}})";
    const auto error = expect_error(v, two_holds);
    CHECK(error.code == validation_code::invalid_choice);
    CHECK(error.field == "climb.holds[2].status");
    CHECK(error.message == R"(Field "climb.holds[2].status": "flying" is not a valid choice.)");

    check_error(v, climb_with_hold("42"), validation_code::wrong_type, "climb.holds[0]");
    check_error(v, climb_with_hold(R"({"type":"start","status":"completed"})"),
                validation_code::missing_field, "climb.holds[0].id");
    check_error(v, climb_with_hold(R"({"id":1.5,"type":"start","status":"completed"})"),
                validation_code::wrong_type, "climb.holds[0].id");
    check_error(v, climb_with_hold(R"({"id":null,"type":"start","status":"completed"})"),
                validation_code::wrong_type, "climb.holds[0].id");
    check_error(v, climb_with_hold(R"({"id":"1","status":"completed"})"),
                validation_code::missing_field, "climb.holds[0].type");
    check_error(v, climb_with_hold(R"({"id":"1","type":"top","status":"completed"})"),
                validation_code::invalid_choice, "climb.holds[0].type");
    check_error(v, climb_with_hold(R"({"id":"1","type":1,"status":"completed"})"),
                validation_code::wrong_type, "climb.holds[0].type");
    check_error(v, climb_with_hold(R"({"id":"1","type":"start"})"), validation_code::missing_field,
                "climb.holds[0].status");
    check_error(v, climb_with_hold(R"({"id":"1","type":"start","status":["grabbed"]})"),
                validation_code::wrong_type, "climb.holds[0].status");
    check_error(v, climb_with_hold(R"({"id":"1","type":"start","status":"grabbed","time":"x"})"),
                validation_code::invalid_timestamp, "climb.holds[0].time");
    check_error(v, climb_with_hold(R"({"id":"1","type":"start","status":"grabbed","time":5})"),
                validation_code::wrong_type, "climb.holds[0].time");
    check_error(v, climb_with_hold(R"({"id":"1","type":"start","status":"grabbed","status":"x"})"),
                validation_code::invalid_value, "climb.holds[0].status");
}

TEST_CASE("hold count is limited", "[validate]") {
    validation_limits limits;
    limits.max_holds = 3;
    message_validator v(limits);
    const std::string hold(good_hold);
    CHECK(expect_ok(v, climb_with_hold(hold + "," + hold + "," + hold)).type ==
          event_type::climb_updated);
    check_error(v, climb_with_hold(hold + "," + hold + "," + hold + "," + hold),
                validation_code::too_many_items, "climb.holds");

    message_validator defaults;
    std::string holds;
    for (int i = 0; i < 513; ++i)
        holds += (i ? "," : "") + hold;
    check_error(defaults, climb_with_hold(holds), validation_code::too_many_items, "climb.holds");
}

TEST_CASE("a valid pose_update keeps landmarks verbatim but compact", "[validate]") {
    message_validator v;
    const auto msg = expect_ok(v, R"({"type":"pose_update","pose":[
        {"x": 0.5, "y": 0.3, "z": -0.2, "visibility": 0.9},
        {"x": 1, "y": 0, "visibility": 1, "presence": 0.75},
        {"x": -3, "y": 2.5, "visibility": 0}]})");
    CHECK(msg.type == event_type::pose_updated);
    CHECK(msg.client_id.empty());
    CHECK(msg.payload == R"({"pose":[{"x":0.5,"y":0.3,"z":-0.2,"visibility":0.9},)"
                         R"({"x":1,"y":0,"visibility":1,"presence":0.75},)"
                         R"({"x":-3,"y":2.5,"visibility":0}]})");
}

TEST_CASE("payloads keep the client's text: numbers and strings as sent, no whitespace",
          "[validate]") {
    message_validator v;
    // Numbers are not re-printed: 0.50 stays 0.50, 1E-2 stays 1E-2.
    CHECK(expect_ok(v, R"({ "pose" : [ {"x": 0.50, "y":1E-2 , "z":-0.0} ] , "type":"pose_update"})")
              .payload == R"({"pose":[{"x":0.50,"y":1E-2,"z":-0.0}]})");
    // Escapes stay escapes, spaces inside strings stay, and a key spelled with
    // escapes is still the member.
    CHECK(expect_ok(v,
                    R"({"type":"climb_update","id":"a","cl\u0069mb" : {"holds": [],)"
                    R"( "grade": "6a \u00e9 \"+\" ]}", "x": {"y": [1, {"z": "}"}]}}, "after": 1})")
              .payload ==
          R"({"climb":{"holds":[],"grade":"6a \u00e9 \"+\" ]}","x":{"y":[1,{"z":"}"}]}}})");
    // The last member runs to the closing brace, whatever space follows.
    CHECK(expect_ok(v, "{\"type\":\"pose_update\",\"pose\":[{\"x\":1,\"y\":2}] \n} \r\n").payload ==
          R"({"pose":[{"x":1,"y":2}]})");
    // A member after nested values, with tabs and newlines around it.
    CHECK(expect_ok(v,
                    "{\"id\":\"a,b}\",\t\"x\":[[{}],{\"a\":\"\\\\\"}],\n\"type\":\"pose_update\","
                    "\r\n\"pose\"\t:\n[{\"x\":1,\"y\":2}]\n}")
              .payload == R"({"pose":[{"x":1,"y":2}]})");
}

TEST_CASE("pose_update rules", "[validate]") {
    message_validator v;
    check_error(v, R"({"type":"pose_update"})", validation_code::missing_field, "pose");
    check_error(v, R"({"type":"pose_update","pose":{}})", validation_code::wrong_type, "pose");
    check_error(v, R"({"type":"pose_update","pose":[]})", validation_code::invalid_value, "pose");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":0.5},[])"), validation_code::wrong_type,
                "pose[1]");
    check_error(v, pose_with_landmark(R"({"y":0.5})"), validation_code::missing_field, "pose[0].x");
    check_error(v, pose_with_landmark(R"({"x":"0.5","y":0.5})"), validation_code::wrong_type,
                "pose[0].x");
    check_error(v, pose_with_landmark(R"({"x":0.5})"), validation_code::missing_field, "pose[0].y");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":null})"), validation_code::wrong_type,
                "pose[0].y");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":0.5,"z":true})"), validation_code::wrong_type,
                "pose[0].z");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":0.5,"visibility":"high"})"),
                validation_code::wrong_type, "pose[0].visibility");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":0.5,"visibility":1.01})"),
                validation_code::invalid_value, "pose[0].visibility");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":0.5,"visibility":-0.1})"),
                validation_code::invalid_value, "pose[0].visibility");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":0.5,"x":"a"})"),
                validation_code::invalid_value, "pose[0].x");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":0.5,"z":1,"z":1})"),
                validation_code::invalid_value, "pose[0].z");
    check_error(v, pose_with_landmark(R"({"x":0.5,"y":0.5,"visibility":1,"visibility":1})"),
                validation_code::invalid_value, "pose[0].visibility");
    // The first error in x, y, z, visibility order, whatever the text's order.
    check_error(v, pose_with_landmark(R"({"visibility":2,"y":"a","x":0})"),
                validation_code::wrong_type, "pose[0].y");
    check_error(v, pose_with_landmark(R"({"visibility":2,"y":"a","y":0})"),
                validation_code::missing_field, "pose[0].x");
    check_error(v, pose_with_landmark(R"({"x":0,"y":0},{"x":0,"y":0,"z":[]})"),
                validation_code::wrong_type, "pose[1].z");
    // simdjson refuses numbers out of double range, so no infinity gets in.
    check_error(v, pose_with_landmark(R"({"x":1e400,"y":0.5})"), validation_code::invalid_json, "");
}

TEST_CASE("landmark count is limited", "[validate]") {
    validation_limits limits;
    limits.max_landmarks = 2;
    message_validator v(limits);
    const std::string lm = R"({"x":0,"y":0})";
    CHECK(expect_ok(v, pose_with_landmark(lm + "," + lm)).type == event_type::pose_updated);
    check_error(v, pose_with_landmark(lm + "," + lm + "," + lm), validation_code::too_many_items,
                "pose");
}

TEST_CASE("envelope rules", "[validate]") {
    message_validator v;
    check_error(v, "", validation_code::invalid_json, "");
    check_error(v, "{", validation_code::invalid_json, "");
    check_error(v, R"({"type":"pose_update",})", validation_code::invalid_json, "");
    check_error(v, "{\"type\":\"session_update\",\"status\":\"\xff\"}",
                validation_code::invalid_json, "");
    check_error(v, "[1,2]", validation_code::not_an_object, "");
    check_error(v, "\"session_update\"", validation_code::not_an_object, "");
    check_error(v, "null", validation_code::not_an_object, "");
    check_error(v, R"({"status":"completed"})", validation_code::missing_field, "type");
    check_error(v, R"({"type":7})", validation_code::wrong_type, "type");
    check_error(v, R"({"type":"foo"})", validation_code::unknown_type, "type");
    check_error(v, R"({"type":"session_updated","status":"completed"})",
                validation_code::unknown_type, "type");
    check_error(v, R"({"type":"pose_update","type":"climb_update"})",
                validation_code::invalid_value, "type");
    check_error(v, R"({"type":"session_update","id":12,"status":"completed"})",
                validation_code::wrong_type, "id");
    check_error(v, R"({"type":"session_update","id":null,"status":"completed"})",
                validation_code::wrong_type, "id");
    check_error(v, R"({"type":"session_update","id":"","status":"completed"})",
                validation_code::invalid_value, "id");

    const auto error = expect_error(v, R"({"type":"foo"})");
    CHECK(error.message == R"(Unknown message type "foo".)");
}

TEST_CASE("client id length is limited in bytes", "[validate]") {
    message_validator v;
    const std::string at_limit(128, 'a');
    const auto msg =
        expect_ok(v, R"({"type":"session_update","status":"started","id":")" + at_limit + "\"}");
    CHECK(msg.client_id == at_limit);
    check_error(v, R"({"type":"session_update","status":"started","id":")" + at_limit + "b\"}",
                validation_code::invalid_value, "id");
}

TEST_CASE("long values are cut short in messages", "[validate]") {
    message_validator v;
    const std::string long_status = std::string(60, 'a') + "\xc3\xa9\xc3\xa9\xc3\xa9" + "zzz";
    const auto error =
        expect_error(v, R"({"type":"session_update","status":")" + long_status + "\"}");
    CHECK(error.code == validation_code::invalid_choice);
    CHECK(error.message.find(std::string(60, 'a') + "\xc3\xa9\xc3\xa9...\"") != std::string::npos);
    CHECK(error.message.find("zzz") == std::string::npos);
}

TEST_CASE("message size is checked before parsing", "[validate]") {
    validation_limits limits;
    limits.max_message_bytes = 64;
    message_validator v(limits);
    const std::string base = R"({"type":"session_update","status":"started","pad":")";
    const std::string at_limit = base + std::string(64 - base.size() - 2, 'x') + "\"}";
    REQUIRE(at_limit.size() == 64);
    CHECK(expect_ok(v, at_limit).payload == R"({"status":"started"})");
    const std::string over = base + std::string(64 - base.size() - 1, 'x') + "\"}";
    check_error(v, over, validation_code::message_too_large, "");
    // Too large wins even over text that is not JSON at all.
    check_error(v, std::string(65, '{'), validation_code::message_too_large, "");

    message_validator defaults;
    CHECK(defaults.limits().max_message_bytes == 1u << 20);
    check_error(defaults, std::string((1u << 20) + 1, ' '), validation_code::message_too_large, "");
}

TEST_CASE("the validator is reusable after errors", "[validate]") {
    message_validator v;
    for (int i = 0; i < 3; ++i) {
        check_error(v, "{oops", validation_code::invalid_json, "");
        CHECK(expect_ok(v, R"({"type":"session_update","status":"completed"})").payload ==
              R"({"status":"completed"})");
        CHECK(expect_ok(v, pose_with_landmark(R"({"x":0.1,"y":0.2})")).payload ==
              R"({"pose":[{"x":0.1,"y":0.2}]})");
    }
}

TEST_CASE("parse_rfc3339 accepts RFC 3339 date-times", "[timestamp]") {
    CHECK(parse_or_fail("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_or_fail("2025-10-19T17:44:37.187Z") == 1'760'895'877'187'000);
    CHECK(parse_or_fail("2025-10-19t17:44:37.187z") == 1'760'895'877'187'000);
    CHECK(parse_or_fail("2025-10-19 17:44:37.187Z") == 1'760'895'877'187'000);
    CHECK(parse_or_fail("2025-10-19T17:44:37.187+00:00") == 1'760'895'877'187'000);
    CHECK(parse_or_fail("2025-10-19T17:44:37.187-00:00") == 1'760'895'877'187'000);
    CHECK(parse_or_fail("2025-10-19T19:44:37.187+02:00") == 1'760'895'877'187'000);
    CHECK(parse_or_fail("2025-10-19T12:14:37.187-05:30") == 1'760'895'877'187'000);
    CHECK(parse_or_fail("2025-10-20T03:44:37.187+10:00") == 1'760'895'877'187'000);
    // Fractions of any length: µs kept, the rest truncated.
    CHECK(parse_or_fail("1970-01-01T00:00:00.5Z") == 500'000);
    CHECK(parse_or_fail("1970-01-01T00:00:00.123456Z") == 123'456);
    CHECK(parse_or_fail("1970-01-01T00:00:00.1234569999999Z") == 123'456);
    CHECK(parse_or_fail("1970-01-01T00:00:00.000001Z") == 1);
    // Before the epoch, and the calendar's edges.
    CHECK(parse_or_fail("1969-12-31T23:59:59.5Z") == -500'000);
    CHECK(parse_or_fail("0000-01-01T00:00:00Z") == -62'167'219'200'000'000);
    CHECK(parse_or_fail("9999-12-31T23:59:59.999999Z") == 253'402'300'799'999'999);
    CHECK(parse_or_fail("2000-03-01T00:00:00Z") == 951'868'800'000'000);
}

TEST_CASE("parse_rfc3339 knows the calendar", "[timestamp]") {
    CHECK(parse_or_fail("2024-02-29T12:00:00Z") == 1'709'208'000'000'000);
    CHECK(parse_or_fail("2000-02-29T00:00:00Z") == 951'782'400'000'000);
    CHECK(parse_or_fail("2024-02-29T00:00:00Z") + 86'400'000'000 ==
          parse_or_fail("2024-03-01T00:00:00Z"));
    CHECK_FALSE(parses("2023-02-29T00:00:00Z"));
    CHECK_FALSE(parses("1900-02-29T00:00:00Z"));
    CHECK_FALSE(parses("2025-04-31T00:00:00Z"));
    CHECK(parses("2025-01-31T00:00:00Z"));
    CHECK(parses("2025-12-31T23:59:59Z"));
    CHECK_FALSE(parses("2025-00-10T00:00:00Z"));
    CHECK_FALSE(parses("2025-13-10T00:00:00Z"));
    CHECK_FALSE(parses("2025-01-00T00:00:00Z"));
    CHECK_FALSE(parses("2025-01-32T00:00:00Z"));
    CHECK_FALSE(parses("2025-01-01T24:00:00Z"));
    CHECK_FALSE(parses("2025-01-01T23:60:00Z"));
    CHECK_FALSE(parses("2025-01-01T23:59:61Z"));
    // A leap second is the second before it.
    CHECK(parse_or_fail("2016-12-31T23:59:60Z") == parse_or_fail("2016-12-31T23:59:59Z"));
    CHECK(parse_or_fail("2016-12-31T23:59:60.5Z") == parse_or_fail("2016-12-31T23:59:59.5Z"));
}

TEST_CASE("parse_rfc3339 rejects everything else", "[timestamp]") {
    for (std::string_view text : {
             "",
             "2025-10-19",
             "2025-10-19T17:44:37",
             "2025-10-19T17:44:37.187",
             "2025-10-19T17:44Z",
             "2025-10-19T17:44:37.Z",
             "2025-10-19T17:44:37,187Z",
             "2025-10-19X17:44:37Z",
             "2025-10-19T17:44:37ZZ",
             "2025-10-19T17:44:37Z ",
             " 2025-10-19T17:44:37Z",
             "25-10-19T17:44:37Z",
             "2025-1-19T17:44:37Z",
             "2025/10/19T17:44:37Z",
             "2025-10-19T7:44:37Z",
             "+2025-10-19T17:44:37Z",
             "2025-10-19T17:44:37+0200",
             "2025-10-19T17:44:37+02",
             "2025-10-19T17:44:37+24:00",
             "2025-10-19T17:44:37+02:60",
             "2025-10-19T17:44:37+2:00",
             "2025-10-19T17:44:37 +02:00",
             "2025-10-19T17:44:37UTC",
             "2025-10-19T17:44:37.18a7Z",
             "2025-1a-19T17:44:37Z",
             "0000-01-01T00:00:00+00:01",
         }) {
        INFO("timestamp: \"" << text << "\"");
        std::int64_t us = 42;
        CHECK_FALSE(parse_rfc3339(text, us));
        CHECK(us == 42);
    }
    CHECK(parses("0000-01-01T00:00:00-00:01"));
    CHECK_FALSE(parses("9999-12-31T23:59:59-00:01"));
}

TEST_CASE("is_valid_json", "[validate]") {
    CHECK(is_valid_json(R"({"a":[1,2,{"b":null}]})"));
    CHECK(is_valid_json("42"));
    CHECK(is_valid_json(" [ ] "));
    CHECK_FALSE(is_valid_json(""));
    CHECK_FALSE(is_valid_json("{"));
    CHECK_FALSE(is_valid_json(R"({"a":1,})"));
    CHECK_FALSE(is_valid_json("{\"a\":\"\xc3\"}"));
    CHECK_FALSE(is_valid_json("nul"));
}
