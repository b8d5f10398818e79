#include <catch2/catch_test_macros.hpp>

#include "result_printing.hpp"

#include "belay/engine/json_text.hpp"
#include "belay/engine/jsonl.hpp"

using namespace belay::engine;

TEST_CASE("an event round-trips through a JSON line") {
    event e;
    e.position = log_position{9};
    e.stream = session_id::generate();
    e.seq = seq{4};
    e.type = event_type::climb_updated;
    e.recv_time_us = 1760895877187654;
    e.author = "al\"ice\n";
    e.client_id = "c-1";
    e.payload = R"({"climb":{"holds":[],"status":"started"}})";
    std::string line;
    append_json_line(line, e);
    CHECK(line.find('\n') == std::string::npos);
    auto back = parse_json_line(line);
    REQUIRE(back);
    CHECK(back->position == e.position);
    CHECK(back->stream == e.stream);
    CHECK(back->seq == e.seq);
    CHECK(back->type == e.type);
    CHECK(back->recv_time_us == e.recv_time_us);
    CHECK(back->author == e.author);
    CHECK(back->client_id == e.client_id);
    CHECK(back->payload == e.payload);
}

TEST_CASE("bad JSON lines name what is wrong") {
    CHECK(parse_json_line("{").error().find("not JSON") == 0);
    CHECK(parse_json_line("[]").error() == "not a JSON object");
    auto good =
        std::string(R"({"position":1,"stream":"0f8fad5b-d9cb-469f-a165-70867728950e","seq":1,)") +
        R"("type":"pose_updated","recv_time_us":5,"author":"a","payload":{}})";
    CHECK(parse_json_line(good));
    auto replace = [&](std::string from, std::string to) {
        auto s = good;
        s.replace(s.find(from), from.size(), to);
        return parse_json_line(s);
    };
    CHECK(replace("\"seq\":1", "\"seq\":0").error().find("seq") != std::string::npos);
    CHECK(replace("\"position\":1", "\"position\":-1").error().find("position") !=
          std::string::npos);
    CHECK(replace("pose_updated", "pose_update").error().find("unknown event type") == 0);
    CHECK(replace("0f8fad5b", "0f8fad5").error().find("UUID") != std::string::npos);
    CHECK(replace("\"payload\":{}", "\"payload\":3").error().find("payload") != std::string::npos);
}

TEST_CASE("JSON strings are escaped") {
    std::string out;
    append_json_string(out, std::string("a\"b\\c\x01\td", 8));
    CHECK(out == R"("a\"b\\c\u0001\td")");
}
