#include <catch2/catch_test_macros.hpp>

#include <set>

#include "belay/engine/event.hpp"
#include "belay/engine/types.hpp"

using namespace belay::engine;

TEST_CASE("session_id parses and prints the canonical form") {
    auto id = session_id::parse("0F8fAD5b-D9cB-469f-A165-70867728950E");
    REQUIRE(id);
    CHECK(id->to_string() == "0f8fad5b-d9cb-469f-a165-70867728950e");
    CHECK(session_id::parse(id->to_string()) == id);
    CHECK_FALSE(id->is_nil());
    CHECK(session_id{}.is_nil());
}

TEST_CASE("session_id rejects what is not a UUID") {
    for (auto bad : {"", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5bd9cb469fa16570867728950e",
                     "0f8fad5b-d9cb-469f-a165-70867728950g", "0f8fad5b-d9cb-469f-a165_70867728950e",
                     "0f8fad5b-d9cb-469f-a165-70867728950e0"})
        CHECK_FALSE(session_id::parse(bad));
}

TEST_CASE("generated session ids are version 4 and distinct") {
    std::set<session_id> seen;
    for (int i = 0; i < 1000; ++i) {
        auto id = session_id::generate();
        CHECK(id.to_string()[14] == '4');
        CHECK(seen.insert(id).second);
    }
}

TEST_CASE("event types round-trip through their names") {
    for (std::uint8_t raw = 1; is_known(raw); ++raw) {
        auto t = static_cast<event_type>(raw);
        CHECK(parse_event_type(to_string(t)) == t);
    }
    CHECK_FALSE(parse_event_type("pose_update"));
    CHECK_FALSE(is_known(0));
}

TEST_CASE("times format as RFC 3339 UTC with milliseconds") {
    CHECK(format_time_us(0) == "1970-01-01T00:00:00.000Z");
    CHECK(format_time_us(1760895877187654) == "2025-10-19T17:44:37.187Z");
    CHECK(format_time_us(951782400000000) == "2000-02-29T00:00:00.000Z");
    CHECK(format_time_us(-1000) == "1969-12-31T23:59:59.999Z");
    CHECK(format_time_us(-1) == "1969-12-31T23:59:59.999Z");
    // The extremes format without overflow (found by fuzzing the codec).
    CHECK_FALSE(format_time_us(INT64_MIN).empty());
    CHECK_FALSE(format_time_us(INT64_MAX).empty());
}

TEST_CASE("durability names") {
    CHECK(parse_durability("sync") == durability::sync);
    CHECK(parse_durability("buffered") == durability::buffered);
    CHECK_FALSE(parse_durability("fast"));
    CHECK(to_string(durability::buffered) == "buffered");
}
