#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <thread>

#include "belay/engine/event_log.hpp"
#include "log_fixture.hpp"

using namespace belay::engine;
using namespace belay::test;

TEST_CASE("appends get per-stream seqs and increasing positions") {
    temp_dir dir;
    auto log = open_log(dir, durability::sync);
    auto a = session_id::generate(), b = session_id::generate();
    auto r1 = log->append(pose_request(a));
    auto r2 = log->append(pose_request(b));
    auto r3 = log->append(pose_request(a));
    REQUIRE((r1 && r2 && r3));
    CHECK(r1->seq == seq{1});
    CHECK(r2->seq == seq{1});
    CHECK(r3->seq == seq{2});
    CHECK(r1->position < r2->position);
    CHECK(r2->position < r3->position);
    CHECK(log->last_position() == r3->position);
    CHECK(log->stream_head(a).value() == seq{2});
    CHECK(log->stream_head(session_id::generate()).value() == seq{0});
}

TEST_CASE("a stream reads back in seq order from any seq") {
    temp_dir dir;
    auto log = open_log(dir);
    auto a = session_id::generate(), b = session_id::generate();
    for (int i = 0; i < 10; ++i) {
        REQUIRE(log->append(pose_request(a)));
        REQUIRE(log->append(pose_request(b)));
    }
    auto all = drain(log->read_stream(a));
    REQUIRE(all.size() == 10);
    for (std::size_t i = 0; i < all.size(); ++i) {
        CHECK(all[i].seq.value == i + 1);
        CHECK(all[i].stream == a);
        CHECK(all[i].author == "alice");
        CHECK(all[i].payload == R"({"pose":[{"x":0.5,"y":0.25}]})");
        CHECK(all[i].recv_time_us > 0);
    }
    auto tail = drain(log->read_stream(a, seq{8}));
    REQUIRE(tail.size() == 3);
    CHECK(tail.front().seq == seq{8});
    CHECK(drain(log->read_stream(a, seq{11})).empty());
    CHECK(drain(log->read_stream(session_id::generate())).empty());
    auto one = log->read_event(b, seq{5});
    REQUIRE(one);
    CHECK(one->seq == seq{5});
    CHECK(log->read_event(b, seq{11}).error() == errc::not_found);
}

TEST_CASE("the whole log reads in position order, from any position") {
    temp_dir dir;
    auto log = open_log(dir);
    std::vector<session_id> streams;
    for (int i = 0; i < 7; ++i)
        streams.push_back(session_id::generate());
    for (int i = 0; i < 700; ++i)
        REQUIRE(log->append(pose_request(streams[i % 7])));
    auto all = drain(log->read_log());
    REQUIRE(all.size() == 700);
    for (std::size_t i = 0; i < all.size(); ++i) {
        CHECK(all[i].position.value == i + 1);
        CHECK(all[i].stream == streams[i % 7]);
        CHECK(all[i].seq.value == i / 7 + 1);
    }
    auto tail = drain(log->read_log(log_position{650}));
    REQUIRE(tail.size() == 50);
    CHECK(tail.front().position == log_position{651});
}

TEST_CASE("a retry with the same client id appends nothing and returns the original") {
    temp_dir dir;
    auto log = open_log(dir);
    auto a = session_id::generate(), b = session_id::generate();
    auto first = log->append(pose_request(a, "m1"));
    REQUIRE(first);
    CHECK_FALSE(first->duplicate);
    REQUIRE(log->append(pose_request(a)));
    auto retry = log->append(pose_request(a, "m1"));
    REQUIRE(retry);
    CHECK(retry->duplicate);
    CHECK(retry->seq == first->seq);
    CHECK(retry->position == first->position);
    CHECK(log->stream_head(a).value() == seq{2});
    // Client ids are scoped to their stream.
    auto other = log->append(pose_request(b, "m1"));
    REQUIRE(other);
    CHECK_FALSE(other->duplicate);

    SECTION("also within one batch") {
        std::vector<append_request> batch{pose_request(a, "m2"), pose_request(a, "m2")};
        auto r = log->append_batch(std::move(batch));
        REQUIRE(r);
        CHECK_FALSE((*r)[0].duplicate);
        CHECK((*r)[1].duplicate);
        CHECK((*r)[1].seq == (*r)[0].seq);
    }
    SECTION("and after a reopen") {
        log.reset();
        log = open_log(dir);
        auto again = log->append(pose_request(a, "m1"));
        REQUIRE(again);
        CHECK(again->duplicate);
        CHECK(again->seq == first->seq);
    }
}

TEST_CASE("a batch is appended atomically and in order") {
    temp_dir dir;
    auto log = open_log(dir, durability::sync);
    auto a = session_id::generate();
    std::vector<append_request> batch;
    for (int i = 0; i < 100; ++i)
        batch.push_back(pose_request(a));
    auto r = log->append_batch(std::move(batch));
    REQUIRE(r);
    REQUIRE(r->size() == 100);
    for (std::size_t i = 0; i < r->size(); ++i)
        CHECK((*r)[i].seq.value == i + 1);
}

TEST_CASE("a nil stream is refused") {
    temp_dir dir;
    auto log = open_log(dir);
    CHECK(log->append(pose_request(session_id{})).error() == errc::invalid_argument);
}

TEST_CASE("everything survives a reopen, and seqs continue") {
    temp_dir dir;
    auto a = session_id::generate();
    {
        auto log = open_log(dir, durability::sync);
        for (int i = 0; i < 5; ++i)
            REQUIRE(log->append(pose_request(a)));
    }
    auto log = open_log(dir);
    CHECK(log->last_position() == log_position{5});
    auto r = log->append(pose_request(a));
    REQUIRE(r);
    CHECK(r->seq == seq{6});
    CHECK(r->position == log_position{6});
}

TEST_CASE("a second writer on the same directory is refused as busy") {
    temp_dir dir;
    auto log = open_log(dir);
    log_options o;
    o.data_dir = dir.str();
    auto second = event_log::open(o);
    REQUIRE_FALSE(second);
    CHECK(second.error() == errc::busy);
}

TEST_CASE("commit listeners see committed events in log order") {
    temp_dir dir;
    auto log = open_log(dir);
    std::vector<event> seen;
    log->add_commit_listener([&](const std::vector<event>& events) {
        seen.insert(seen.end(), events.begin(), events.end());
    });
    auto a = session_id::generate();
    REQUIRE(log->append(pose_request(a, "x")));
    REQUIRE(log->append(pose_request(a, "x")));  // duplicate: not an event
    REQUIRE(log->append(pose_request(a)));
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].seq == seq{1});
    CHECK(seen[1].seq == seq{2});
    CHECK(seen[1].position > seen[0].position);
    CHECK(seen[0].payload == R"({"pose":[{"x":0.5,"y":0.25}]})");
}

TEST_CASE("wait_for_commit wakes on a commit and times out without one") {
    temp_dir dir;
    auto log = open_log(dir);
    CHECK(log->wait_for_commit(log_position{0}, std::chrono::milliseconds(20)) == log_position{0});
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        (void)log->append(pose_request(session_id::generate()));
    });
    auto pos = log->wait_for_commit(log_position{0}, std::chrono::seconds(10));
    writer.join();
    CHECK(pos == log_position{1});
}

TEST_CASE("a read-only instance reads while another writes, and refreshes") {
    temp_dir dir;
    auto log = open_log(dir, durability::sync);
    auto a = session_id::generate();
    for (int i = 0; i < 3; ++i)
        REQUIRE(log->append(pose_request(a)));
    auto reader = event_log::open_read_only(dir.str());
    REQUIRE(reader);
    CHECK((*reader)->read_only());
    CHECK(drain((*reader)->read_stream(a)).size() == 3);
    for (int i = 0; i < 4; ++i)
        REQUIRE(log->append(pose_request(a)));
    REQUIRE((*reader)->refresh());
    CHECK(drain((*reader)->read_stream(a)).size() == 7);
    CHECK((*reader)->last_position() == log_position{7});
    CHECK((*reader)->append(pose_request(a)).error() == errc::read_only);
    CHECK(event_log::open_read_only((dir.path() / "nothing").string()).error() == errc::not_found);
}

TEST_CASE("restore writes events as given and refuses gaps") {
    temp_dir source_dir, target_dir;
    auto source = open_log(source_dir);
    auto a = session_id::generate();
    for (int i = 0; i < 4; ++i)
        REQUIRE(source->append(pose_request(a, "c" + std::to_string(i))));
    auto events = drain(source->read_log());
    auto target = open_log(target_dir);
    auto gap = events;
    gap.erase(gap.begin() + 1);
    CHECK(target->restore(gap).error() == errc::invalid_argument);
    CHECK(target->last_position() == log_position{0});
    REQUIRE(target->restore(events));
    CHECK(target->last_position() == log_position{4});
    auto copy = drain(target->read_stream(a));
    REQUIRE(copy.size() == 4);
    CHECK(copy[3].client_id == "c3");
    auto dup = target->append(pose_request(a, "c2"));
    REQUIRE(dup);
    CHECK(dup->duplicate);
    CHECK(dup->seq == seq{3});
}

TEST_CASE("stats count events and streams") {
    temp_dir dir;
    auto log = open_log(dir);
    for (int i = 0; i < 3; ++i) {
        auto s = session_id::generate();
        for (int j = 0; j <= i; ++j)
            REQUIRE(log->append(pose_request(s)));
    }
    auto st = log->stats();
    REQUIRE(st);
    CHECK(st->events == 6);
    CHECK(st->streams == 3);
    CHECK(st->last_position == log_position{6});
    CHECK(st->wal_bytes > 0);
}

TEST_CASE("reading the log from inside a group commit's index entry") {
    temp_dir dir;
    auto log = open_log(dir);
    auto a = session_id::generate(), b = session_id::generate();
    std::vector<append_request> batch;
    for (int i = 0; i < 300; ++i)
        batch.push_back(pose_request(i % 3 ? a : b));
    REQUIRE(log->append_batch(std::move(batch)));  // one index entry for 300 positions
    REQUIRE(log->append(pose_request(a)));
    auto tail = drain(log->read_log(log_position{123}));
    REQUIRE(tail.size() == 178);
    for (std::size_t i = 0; i < tail.size(); ++i)
        CHECK(tail[i].position.value == 124 + i);
    CHECK(drain(log->read_log(log_position{301})).empty());
}

TEST_CASE("a log cursor at its end sees later commits") {
    temp_dir dir;
    auto log = open_log(dir);
    auto a = session_id::generate();
    REQUIRE(log->append(pose_request(a)));
    auto cursor = log->read_log();
    event e;
    REQUIRE(cursor.next(e).value());
    CHECK_FALSE(cursor.next(e).value());
    REQUIRE(log->append(pose_request(a)));
    REQUIRE(cursor.next(e).value());
    CHECK(e.seq == seq{2});
}
