#include <catch2/catch_test_macros.hpp>

#include <rocksdb/db.h>

#include "belay/engine/codec.hpp"
#include "belay/engine/verify.hpp"
#include "layout.hpp"
#include "log_fixture.hpp"
#include "log_impl.hpp"

using namespace belay::engine;
using namespace belay::test;

namespace {

bool names(const verify_report& r, std::string_view what) {
    for (auto& f : r.faults)
        if (f.find(what) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("verify passes a sound log and names every kind of fault") {
    temp_dir dir;
    auto log = open_log(dir);
    auto a = session_id::generate(), b = session_id::generate();
    for (int i = 0; i < 5; ++i) {
        REQUIRE(log->append(pose_request(a, "a" + std::to_string(i))));
        REQUIRE(log->append(pose_request(b)));
    }
    auto sound = verify_log(*log);
    REQUIRE(sound);
    CHECK(sound->ok());
    CHECK(sound->streams == 2);
    CHECK(sound->events == 10);
    CHECK(sound->index_entries == 10);
    CHECK(sound->client_ids == 5);

    auto& raw = log_access::of(*log);
    rocksdb::WriteOptions w;
    auto corrupt_and_verify = [&](auto&& corrupt) {
        corrupt();
        auto r = verify_log(*log);
        REQUIRE(r);
        CHECK_FALSE(r->ok());
        return *r;
    };

    auto position_of = [&](session_id stream, std::uint64_t s) {
        return layout::position_key(log->read_event(stream, seq{s}).value().position);
    };

    SECTION("a missing event") {
        auto p = position_of(a, 3);
        auto r = corrupt_and_verify([&] { REQUIRE(raw.db->Delete(w, raw.log, p).ok()); });
        CHECK(names(r, "seq 3 points at position"));
        CHECK(names(r, "which has no event"));
        CHECK(names(r, "10 index entries for 9 events"));
        // Readers tell it from a purge: the index still has the entry.
        CHECK(log->read_event(a, seq{3}).error() == errc::corruption);
        event e;
        auto cursor = log->read_stream(a);
        for (int i = 0; i < 2; ++i)
            REQUIRE(cursor.next(e).value());
        CHECK(cursor.next(e).error() == errc::corruption);
    }
    SECTION("a missing index entry is a gap") {
        auto r = corrupt_and_verify(
            [&] { REQUIRE(raw.db->Delete(w, raw.streams, layout::stream_key(a, seq{3})).ok()); });
        CHECK(names(r, "gap, expected seq 3"));
        CHECK(names(r, "seq 3 (position"));
        CHECK(names(r, "missing from the stream index"));
    }
    SECTION("a record that does not decode") {
        auto p = position_of(b, 2);
        auto r = corrupt_and_verify([&] { REQUIRE(raw.db->Put(w, raw.log, p, "junk").ok()); });
        CHECK(names(r, "does not decode"));
    }
    SECTION("a payload that is not JSON") {
        auto e = log->read_event(b, seq{4}).value();
        e.payload = "{\"pose\":[";
        auto r = corrupt_and_verify([&] {
            REQUIRE(
                raw.db->Put(w, raw.log, layout::position_key(e.position), encode_event(e)).ok());
        });
        CHECK(names(r, "payload is not valid JSON"));
    }
    SECTION("a record stored under another position") {
        auto e = log->read_event(b, seq{4}).value();
        auto p = position_of(b, 5);
        auto r =
            corrupt_and_verify([&] { REQUIRE(raw.db->Put(w, raw.log, p, encode_event(e)).ok()); });
        CHECK(names(r, "the record says position"));
        CHECK(names(r, "which holds stream"));
    }
    SECTION("an index value that is not a position") {
        auto r = corrupt_and_verify(
            [&] { REQUIRE(raw.db->Put(w, raw.streams, layout::stream_key(a, seq{2}), "x").ok()); });
        CHECK(names(r, "the index value is not a position"));
    }
    SECTION("an index entry pointing at another event") {
        auto p = position_of(b, 1);
        auto r = corrupt_and_verify(
            [&] { REQUIRE(raw.db->Put(w, raw.streams, layout::stream_key(a, seq{2}), p).ok()); });
        CHECK(names(r, "is indexed twice"));
        CHECK(names(r, "which holds stream"));
    }
    SECTION("a key that is not a position") {
        auto r = corrupt_and_verify([&] { REQUIRE(raw.db->Put(w, raw.log, "bad", "x").ok()); });
        CHECK(names(r, "log: a key of 3 bytes is not a position"));
    }
    SECTION("a client id pointing at nothing") {
        auto r = corrupt_and_verify([&] {
            REQUIRE(raw.db
                        ->Put(w, raw.client_ids, layout::client_id_key(b, "ghost"),
                              layout::client_id_value(seq{99}, log_position{1}))
                        .ok());
        });
        CHECK(names(r, "\"ghost\" points at missing seq 99"));
    }
}
