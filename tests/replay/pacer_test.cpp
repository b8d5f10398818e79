#include <catch2/catch_test_macros.hpp>

#include "belay/replay/pacer.hpp"
#include "belay/replay/timeline.hpp"

using belay::replay::offset_tracker;
using belay::replay::pacer;

TEST_CASE("events are due at their offset divided by the speed") {
    pacer p(2.0, false, 1'000);
    CHECK(p.wait_for(0, 1'000) == 0);
    CHECK(p.wait_for(100'000, 1'000) == 50'000);  // 100 ms of session at 2x: 50 ms
    CHECK(p.wait_for(100'000, 41'000) == 10'000);
    CHECK(p.wait_for(100'000, 60'000) == 0);  // late: due now
    CHECK(p.position(26'000) == 50'000);
}

TEST_CASE("speed 0 plays as fast as the client reads") {
    pacer p(0, false, 0);
    CHECK(p.wait_for(3'600'000'000, 0) == 0);
}

TEST_CASE("pause holds the playhead; play resumes from it") {
    pacer p(1.0, false, 0);
    p.pause(30'000);
    CHECK(p.paused());
    CHECK_FALSE(p.wait_for(40'000, 90'000).has_value());
    CHECK(p.position(500'000) == 30'000);
    p.play(1'000'000);
    CHECK(p.wait_for(40'000, 1'000'000) == 10'000);
}

TEST_CASE("a speed change keeps the playhead where it is") {
    pacer p(1.0, false, 0);
    p.set_speed(4.0, 100'000);  // at offset 100 ms
    CHECK(p.position(100'000) == 100'000);
    CHECK(p.wait_for(500'000, 100'000) == 100'000);  // 400 ms of session at 4x
}

TEST_CASE("a seek moves the playhead, paused or playing") {
    pacer p(1.0, true, 0);
    p.seek(5'000'000, 10);
    CHECK(p.position(999) == 5'000'000);
    p.play(20);
    CHECK(p.wait_for(5'000'000, 20) == 0);
    CHECK(p.wait_for(5'250'000, 20) == 250'000);
}

TEST_CASE("gaps are capped, and never negative") {
    offset_tracker capped(2'000'000);
    CHECK(capped.next(5'000'000) == 0);  // the first event
    CHECK(capped.next(65'000'000) == 2'000'000);
    CHECK(capped.next(65'000'500) == 2'000'500);
    CHECK(capped.next(65'000'200) == 2'000'500);  // the clock stepped back
    offset_tracker uncapped(std::nullopt);
    uncapped.resume(1'000, 7);
    CHECK(uncapped.next(60'001'000) == 60'000'007);
}

TEST_CASE("after events sent ahead at speed 0, a new speed plays on from them") {
    pacer p(0, false, 0);
    p.reached(5'000'000, 10);
    p.set_speed(1.0, 10);
    CHECK(p.position(10) == 5'000'000);
    CHECK(p.wait_for(5'000'100, 10) == 100);
}
