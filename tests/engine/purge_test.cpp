#include <catch2/catch_test_macros.hpp>

#include <atomic>

#include "belay/engine/verify.hpp"
#include "log_fixture.hpp"

using namespace belay::engine;
using namespace belay::test;

TEST_CASE("purging streams deletes their events and refuses more, atomically with a tombstone") {
    temp_dir dir;
    auto log = open_log(dir);
    auto a = session_id::generate(), b = session_id::generate(), keep = session_id::generate();
    auto deletions = session_id::generate();
    for (int i = 0; i < 5; ++i) {
        REQUIRE(log->append(pose_request(a, "a" + std::to_string(i))));
        REQUIRE(log->append(pose_request(b)));
        REQUIRE(log->append(pose_request(keep)));
    }
    append_request tombstone = pose_request(deletions);
    tombstone.type = event_type::session_deleted;
    tombstone.payload = "{}";
    auto t = log->purge_streams({a, b}, tombstone);
    REQUIRE(t);
    CHECK(t->seq == seq{1});
    CHECK(log->is_purged(a));
    CHECK_FALSE(log->is_purged(keep));
    CHECK(drain(log->read_stream(a)).empty());
    CHECK(log->read_event(b, seq{1}).error() == errc::not_found);
    CHECK(log->append(pose_request(a)).error() == errc::stream_purged);
    CHECK(log->append(pose_request(a, "a1")).error() == errc::stream_purged);

    // The whole log reads past the purged events; the rest is intact.
    auto all = drain(log->read_log());
    REQUIRE(all.size() == 6);
    CHECK(all.back().stream == deletions);
    CHECK(drain(log->read_stream(keep)).size() == 5);

    auto report = verify_log(*log);
    REQUIRE(report);
    INFO((report->faults.empty() ? "" : report->faults.front()));
    CHECK(report->ok());
    // Purged events leave neither a record nor an index entry behind.
    CHECK(report->events == 6);
    CHECK(report->index_entries == 6);

    SECTION("and it survives a reopen") {
        log.reset();
        log = open_log(dir);
        CHECK(log->is_purged(b));
        CHECK(log->append(pose_request(b)).error() == errc::stream_purged);
        CHECK(drain(log->read_log()).size() == 6);
        REQUIRE(log->append(pose_request(keep)));
    }
}

TEST_CASE("a refused append does not hold up the rest of its round") {
    temp_dir dir;
    auto log = open_log(dir);
    auto gone = session_id::generate(), live = session_id::generate();
    REQUIRE(log->append(pose_request(gone)));
    auto tombstone = pose_request(session_id::generate());
    REQUIRE(log->purge_streams({gone}, tombstone));
    std::atomic<int> refused{0}, acked{0};
    for (int i = 0; i < 100; ++i) {
        std::vector<append_request> one{pose_request(i % 2 ? gone : live, "c" + std::to_string(i))};
        log->append_async(std::move(one), [&](result<std::vector<append_result>> r) {
            (r ? acked : refused).fetch_add(1);
        });
    }
    log.reset();
    CHECK(refused == 50);
    CHECK(acked == 50);
}

TEST_CASE("checkpoints are stored and read back") {
    temp_dir dir;
    auto log = open_log(dir);
    auto none = log->read_checkpoint("projections");
    REQUIRE(none);
    CHECK_FALSE(none->has_value());
    REQUIRE(log->write_checkpoint("projections", {log_position{42}, std::string("a\0b", 3)}));
    REQUIRE(log->write_checkpoint("other", {log_position{7}, "x"}));
    log.reset();
    log = open_log(dir);
    auto c = log->read_checkpoint("projections");
    REQUIRE(c);
    REQUIRE(c->has_value());
    CHECK((*c)->position == log_position{42});
    CHECK((*c)->bytes == std::string("a\0b", 3));
    CHECK(log->storage_bytes() > 0);
}

TEST_CASE("a purge deletes what its own round staged for the stream") {
    temp_dir dir;
    auto log = open_log(dir);
    auto deletions = session_id::generate();
    // Appends queued just before the purge mostly share its round (the
    // writer takes everything queued at once): a client still sending as
    // its session is deleted.
    for (int attempt = 0; attempt < 20; ++attempt) {
        auto doomed = session_id::generate();
        std::atomic<int> answered{0};
        for (int i = 0; i < 200; ++i) {
            std::vector<append_request> one{pose_request(doomed, "c" + std::to_string(i))};
            log->append_async(std::move(one), [&](auto) { answered.fetch_add(1); });
        }
        append_request tombstone = pose_request(deletions);
        tombstone.type = event_type::session_deleted;
        tombstone.payload = "{}";
        REQUIRE(log->purge_streams({doomed}, tombstone));
        CHECK(answered == 200);  // queued first, so answered first
        CHECK(drain(log->read_stream(doomed)).empty());
    }
    auto report = verify_log(*log);
    REQUIRE(report);
    INFO((report->faults.empty() ? "" : report->faults.front()));
    CHECK(report->ok());
    CHECK(report->events == 20);  // the tombstones
    CHECK(report->client_ids == 0);
}
