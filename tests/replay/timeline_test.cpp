#include <catch2/catch_test_macros.hpp>

#include "result_printing.hpp"

#include "belay/engine/event_log.hpp"
#include "belay/replay/timeline.hpp"
#include "temp_dir.hpp"

using namespace belay;
using replay::timeline;

namespace {

// A stream of `n` events recorded 100 ms apart, every third one a pose
// frame, with a 60 s pause before seq 2001.
std::unique_ptr<engine::event_log> recorded(const test::temp_dir& dir, engine::session_id s,
                                            std::uint64_t n) {
    engine::log_options o;
    o.data_dir = dir.str();
    o.durability = engine::durability::buffered;
    auto log = engine::event_log::open(o);
    REQUIRE(log);
    std::vector<engine::event> events;
    std::int64_t t = 1'700'000'000'000'000;
    for (std::uint64_t i = 1; i <= n; ++i) {
        engine::event e;
        e.position = engine::log_position{i};
        e.stream = s;
        e.seq = engine::seq{i};
        e.type = i % 3 == 0 ? engine::event_type::pose_updated : engine::event_type::climb_updated;
        t += i == 2001 ? 60'000'000 : 100'000;
        e.recv_time_us = t;
        e.author = "alice";
        e.payload = "{}";
        events.push_back(std::move(e));
    }
    REQUIRE((*log)->restore(std::move(events)));
    return std::move(*log);
}

}  // namespace

TEST_CASE("a timeline maps seqs, offsets and pose frames both ways") {
    test::temp_dir dir;
    auto s = engine::session_id::generate();
    auto log = recorded(dir, s, 5000);
    timeline t(*log, s, std::nullopt);
    // Asked out of order so later lookups start from marks.
    CHECK(t.offset_of(engine::seq{4000}).value() == 3999 * 100'000 + 59'900'000);
    CHECK(t.offset_of(engine::seq{1}).value() == 0);
    CHECK(t.offset_of(engine::seq{2000}).value() == 1999 * 100'000);
    CHECK(t.offset_of(engine::seq{2001}).value() == 1999 * 100'000 + 60'000'000);
    CHECK(t.offset_of(engine::seq{99999}).value() == t.offset_of(engine::seq{5000}).value());
    CHECK(t.seq_at_offset(0).value().value == 1);
    CHECK(t.seq_at_offset(150'000).value().value == 3);
    CHECK(t.seq_at_offset(200'000).value().value == 3);
    CHECK(t.seq_at_offset(1999 * 100'000 + 1).value().value == 2001);  // inside the pause
    CHECK(t.seq_at_offset(int64_t{1} << 50).value().value == 5001);    // past the end
    CHECK(t.seq_of_pose_frame(0).value().value == 3);
    CHECK(t.seq_of_pose_frame(1000).value().value == 3003);
    CHECK(t.seq_of_pose_frame(10).value().value == 33);
    CHECK(t.seq_of_pose_frame(1666).value().value == 5001);  // 1666 frames: 0..1665
}

TEST_CASE("with a gap cap, offsets skip the inactivity") {
    test::temp_dir dir;
    auto s = engine::session_id::generate();
    auto log = recorded(dir, s, 3000);
    timeline t(*log, s, 1'000'000);
    CHECK(t.offset_of(engine::seq{2001}).value() == 1999 * 100'000 + 1'000'000);
    CHECK(t.offset_of(engine::seq{3000}).value() == 2998 * 100'000 + 1'000'000);
    CHECK(t.seq_at_offset(1999 * 100'000 + 500'000).value().value == 2001);
}

TEST_CASE("an empty or unknown stream has nothing to find") {
    test::temp_dir dir;
    auto s = engine::session_id::generate();
    auto log = recorded(dir, engine::session_id::generate(), 10);
    timeline t(*log, s, std::nullopt);
    CHECK(t.offset_of(engine::seq{1}).value() == 0);
    CHECK(t.seq_at_offset(5).value().value == 1);
    CHECK(t.seq_of_pose_frame(0).value().value == 1);
}
