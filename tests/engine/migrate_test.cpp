// Format 1 logs (events keyed by stream ‖ seq) are converted to the current
// format at their first writable open, and format 2 logs are marked 3. The
// old logs here are written by hand with RocksDB, key by key as their
// writers laid them out (layout.hpp).

#include <catch2/catch_test_macros.hpp>

#include <algorithm>

#include <rocksdb/db.h>

#include "belay/engine/codec.hpp"
#include "belay/engine/verify.hpp"
#include "layout.hpp"
#include "log_fixture.hpp"

using namespace belay::engine;
using namespace belay::test;

namespace {

std::vector<std::string> column_families(const temp_dir& dir) {
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions{}, dir.str(), &names).ok());
    std::sort(names.begin(), names.end());
    return names;
}

// Opens a RocksDB with the given column families (creating them), hands each
// handle to `write`, and closes it.
template <class Write>
void with_raw_db(const temp_dir& dir, const std::vector<std::string>& names, Write&& write) {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (auto& n : names)
        descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions{});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir.str(), descriptors, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    write(*db, handles);
    for (auto* h : handles)
        REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
}

// A record as every build before packed poses wrote it: the payload JSON.
std::string json_record(event e) {
    const auto type = e.type;
    e.type = event_type::session_updated;  // a type whose payload is never packed
    auto bytes = encode_event(e);
    bytes[1] = static_cast<char>(type);
    return bytes;
}

const std::vector<std::string> current_cfs = {"default", "log", "streams", "client_ids", "meta"};

// Two streams, interleaved: a1 b1 a2 b2 … at positions 1…2n; a's events
// carry client ids.
std::vector<event> sample_events(session_id a, session_id b, int n) {
    std::vector<event> out;
    for (int i = 1; i <= n; ++i) {
        for (auto stream : {a, b}) {
            event e;
            e.position = log_position{out.size() + 1};
            e.stream = stream;
            e.seq = seq{static_cast<std::uint64_t>(i)};
            e.type = event_type::pose_updated;
            e.recv_time_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(out.size());
            e.author = "alice";
            if (stream == a) e.client_id = "c" + std::to_string(i);
            e.payload = R"({"pose":[{"x":0.5,"y":)" + std::to_string(i) + "}]}";
            out.push_back(e);
        }
    }
    return out;
}

void write_format_1(const temp_dir& dir, const std::vector<event>& events) {
    with_raw_db(dir, {"default", "events", "global", "client_ids", "meta"},
                [&](rocksdb::DB& db, auto& h) {
                    rocksdb::WriteBatch batch;
                    std::string index;
                    for (auto& e : events) {
                        auto key = layout::stream_key(e.stream, e.seq);
                        batch.Put(h[1], key, json_record(e));
                        index += key;
                        if (!e.client_id.empty())
                            batch.Put(h[3], layout::client_id_key(e.stream, e.client_id),
                                      layout::client_id_value(e.seq, e.position));
                    }
                    batch.Put(h[2], layout::position_key(log_position{1}), index);
                    batch.Put(h[4], "format", "1");
                    REQUIRE(db.Write(rocksdb::WriteOptions{}, &batch).ok());
                });
}

// A conversion that fails opens nothing and leaves the log as it was:
// format 1's column families only, for an earlier belayd.
void check_not_converted(const temp_dir& dir) {
    log_options o;
    o.data_dir = dir.str();
    auto log = event_log::open(o);
    REQUIRE_FALSE(log);
    CHECK(log.error() == errc::corruption);
    CHECK(column_families(dir) ==
          std::vector<std::string>{"client_ids", "default", "events", "global", "meta"});
}

bool same(const event& x, const event& y) {
    return x.position == y.position && x.stream == y.stream && x.seq == y.seq && x.type == y.type &&
           x.recv_time_us == y.recv_time_us && x.author == y.author && x.client_id == y.client_id &&
           x.payload == y.payload;
}

}  // namespace

TEST_CASE("a format 1 log is converted at its first writable open, losing nothing") {
    temp_dir dir;
    auto a = session_id::generate(), b = session_id::generate();
    auto events = sample_events(a, b, 50);
    write_format_1(dir, events);

    SECTION("a read-only open refuses it, and changes nothing") {
        auto ro = event_log::open_read_only(dir.str());
        REQUIRE_FALSE(ro);
        CHECK(ro.error() == errc::old_format);
        auto names = column_families(dir);
        CHECK(std::count(names.begin(), names.end(), "events") == 1);
    }

    auto log = open_log(dir);
    CHECK(column_families(dir) ==
          std::vector<std::string>{"client_ids", "default", "log", "meta", "streams"});
    CHECK(log->last_position() == log_position{100});

    auto all = drain(log->read_log());
    REQUIRE(all.size() == events.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        CHECK(same(all[i], events[i]));
    auto only_b = drain(log->read_stream(b, seq{49}));
    REQUIRE(only_b.size() == 2);
    CHECK(same(only_b[0], events[97]));
    CHECK(log->read_event(a, seq{7}).value().payload == events[12].payload);
    CHECK(log->stream_head(a).value() == seq{50});

    auto report = verify_log(*log);
    REQUIRE(report);
    INFO((report->faults.empty() ? "" : report->faults.front()));
    CHECK(report->ok());
    CHECK(report->streams == 2);
    CHECK(report->events == 100);
    CHECK(report->client_ids == 50);

    // Client ids still deduplicate; new events continue both numberings.
    auto again = log->append(pose_request(a, "c3"));
    REQUIRE(again);
    CHECK(again->duplicate);
    CHECK(again->position == log_position{5});
    auto next = log->append(pose_request(a, "new"));
    REQUIRE(next);
    CHECK(next->seq == seq{51});
    CHECK(next->position == log_position{101});

    SECTION("and reopens, read-only too") {
        log.reset();
        auto ro = event_log::open_read_only(dir.str());
        REQUIRE(ro);
        CHECK(drain((*ro)->read_log()).size() == 101);
    }
}

TEST_CASE("a conversion that stopped after its mark only drops format 1's column families") {
    temp_dir dir;
    auto a = session_id::generate();
    open_log(dir)->append(pose_request(a)).value();
    // What a crash between the format mark and the drops leaves: the new
    // format's data and format 1's column families beside it.
    with_raw_db(dir, {"default", "log", "streams", "client_ids", "meta", "events", "global"},
                [](rocksdb::DB&, auto&) {});
    {
        // A read-only open (belay inspect) reads it as the log it is.
        auto ro = event_log::open_read_only(dir.str());
        REQUIRE(ro);
        CHECK(drain((*ro)->read_stream(a)).size() == 1);
    }
    auto log = open_log(dir);
    CHECK(column_families(dir) ==
          std::vector<std::string>{"client_ids", "default", "log", "meta", "streams"});
    CHECK(drain(log->read_stream(a)).size() == 1);
}

TEST_CASE("a format 1 log with a record that does not decode is not converted") {
    temp_dir dir;
    auto a = session_id::generate(), b = session_id::generate();
    write_format_1(dir, sample_events(a, b, 3));
    with_raw_db(
        dir, {"default", "events", "global", "client_ids", "meta"}, [&](rocksdb::DB& db, auto& h) {
            REQUIRE(
                db.Put(rocksdb::WriteOptions{}, h[1], layout::stream_key(a, seq{2}), "junk").ok());
        });
    check_not_converted(dir);
}

TEST_CASE("a format 1 log with two events at one position is not converted") {
    temp_dir dir;
    auto a = session_id::generate(), b = session_id::generate();
    auto events = sample_events(a, b, 3);
    events[3].position = events[2].position;  // b's second claims a's second's place
    write_format_1(dir, events);
    check_not_converted(dir);
}

TEST_CASE("a format 2 log is marked 3 at its first writable open, its events as they were") {
    temp_dir dir;
    auto a = session_id::generate();
    {
        auto log = open_log(dir);
        for (int i = 0; i < 3; ++i)
            log->append(pose_request(a, "c" + std::to_string(i))).value();
    }
    std::vector<event> events = drain(open_log(dir)->read_log());
    REQUIRE(events.size() == 3);
    auto mark = [&](const char* format) {
        with_raw_db(dir, current_cfs, [&](rocksdb::DB& db, auto& h) {
            REQUIRE(db.Put(rocksdb::WriteOptions{}, h[4], "format", format).ok());
        });
    };
    // As format 2 stored them: every payload JSON.
    with_raw_db(dir, current_cfs, [&](rocksdb::DB& db, auto& h) {
        for (auto& e : events)
            REQUIRE(db.Put(rocksdb::WriteOptions{}, h[1], layout::position_key(e.position),
                           json_record(e))
                        .ok());
    });
    mark("2");
    {
        auto ro = event_log::open_read_only(dir.str());
        REQUIRE(ro);
        auto read = drain((*ro)->read_log());
        REQUIRE(read.size() == 3);
        CHECK(same(read[2], events[2]));
    }
    {
        auto log = open_log(dir);
        auto read = drain(log->read_log());
        REQUIRE(read.size() == 3);
        for (std::size_t i = 0; i < read.size(); ++i)
            CHECK(same(read[i], events[i]));
        CHECK(log->append(pose_request(a, "c1")).value().duplicate);
        CHECK(log->append(pose_request(a, "c3")).value().position == log_position{4});
        auto report = verify_log(*log);
        REQUIRE(report);
        CHECK(report->ok());
    }
    with_raw_db(dir, current_cfs, [&](rocksdb::DB& db, auto& h) {
        std::string value;
        REQUIRE(db.Get(rocksdb::ReadOptions{}, h[4], "format", &value).ok());
        CHECK(value == "3");
        // The old records as they were, the new one packed.
        REQUIRE(db.Get(rocksdb::ReadOptions{}, h[1], layout::position_key(log_position{1}), &value)
                    .ok());
        CHECK(value == json_record(events[0]));
        REQUIRE(db.Get(rocksdb::ReadOptions{}, h[1], layout::position_key(log_position{4}), &value)
                    .ok());
        CHECK(value[0] == 2);
    });

    SECTION("a later build's mark is refused, read-only too; a mark of no format is corruption") {
        log_options o;
        o.data_dir = dir.str();
        mark("4");
        auto log = event_log::open(o);
        REQUIRE_FALSE(log);
        CHECK(log.error() == errc::new_format);
        auto ro = event_log::open_read_only(dir.str());
        REQUIRE_FALSE(ro);
        CHECK(ro.error() == errc::new_format);
        mark("3x");
        log = event_log::open(o);
        REQUIRE_FALSE(log);
        CHECK(log.error() == errc::corruption);
    }
}
