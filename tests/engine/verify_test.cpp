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

    SECTION("a missing event is a gap") {
        auto r = corrupt_and_verify(
            [&] { REQUIRE(raw.db->Delete(w, raw.events, layout::stream_key(a, seq{3})).ok()); });
        CHECK(names(r, "gap, expected seq 3"));
        CHECK(names(r, "10 indexed positions for 9 events"));
        CHECK(names(r, "which has no such event"));
    }
    SECTION("a record that does not decode") {
        auto r = corrupt_and_verify([&] {
            REQUIRE(raw.db->Put(w, raw.events, layout::stream_key(b, seq{2}), "junk").ok());
        });
        CHECK(names(r, "does not decode"));
    }
    SECTION("a payload that is not JSON") {
        auto e = log->read_event(b, seq{4}).value();
        e.payload = "{\"pose\":[";
        auto r = corrupt_and_verify([&] {
            REQUIRE(
                raw.db->Put(w, raw.events, layout::stream_key(b, seq{4}), encode_event(e)).ok());
        });
        CHECK(names(r, "payload is not valid JSON"));
    }
    SECTION("a record stored under another key") {
        auto e = log->read_event(b, seq{4}).value();
        auto r = corrupt_and_verify([&] {
            REQUIRE(
                raw.db->Put(w, raw.events, layout::stream_key(b, seq{5}), encode_event(e)).ok());
        });
        CHECK(names(r, "the record says"));
    }
    SECTION("overlapping index entries") {
        auto r = corrupt_and_verify([&] {
            auto two = layout::stream_key(a, seq{1}) + layout::stream_key(b, seq{1});
            REQUIRE(raw.db->Put(w, raw.global, layout::position_key(log_position{1}), two).ok());
        });
        CHECK(names(r, "overlaps the one before"));
    }
    SECTION("a malformed index entry") {
        auto r = corrupt_and_verify([&] {
            REQUIRE(raw.db->Put(w, raw.global, layout::position_key(log_position{3}), "x").ok());
        });
        CHECK(names(r, "malformed index entry"));
    }
    SECTION("a missing index entry") {
        auto e = log->read_event(a, seq{2}).value();
        auto r = corrupt_and_verify(
            [&] { REQUIRE(raw.db->Delete(w, raw.global, layout::position_key(e.position)).ok()); });
        CHECK(names(r, "missing from the global index"));
    }
    SECTION("an index entry pointing elsewhere") {
        auto e = log->read_event(a, seq{2}).value();
        auto r = corrupt_and_verify([&] {
            REQUIRE(raw.db
                        ->Put(w, raw.global, layout::position_key(e.position),
                              layout::stream_key(b, seq{1}))
                        .ok());
        });
        CHECK(names(r, "maps position"));
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
