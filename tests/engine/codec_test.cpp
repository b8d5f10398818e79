#include <catch2/catch_test_macros.hpp>

#include "result_printing.hpp"

#include "belay/engine/codec.hpp"

using namespace belay::engine;

namespace {

event sample() {
    event e;
    e.position = log_position{123456789};
    e.stream = *session_id::parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    e.seq = seq{42};
    e.type = event_type::pose_updated;
    e.recv_time_us = 1760895877187654;
    e.author = "alice";
    e.client_id = "msg-7";
    e.payload = R"({"pose":[{"x":0.5,"y":0.3,"z":0.2,"visibility":0.9}]})";
    return e;
}

void check_same(const event& a, const event& b) {
    CHECK(a.position == b.position);
    CHECK(a.stream == b.stream);
    CHECK(a.seq == b.seq);
    CHECK(a.type == b.type);
    CHECK(a.recv_time_us == b.recv_time_us);
    CHECK(a.author == b.author);
    CHECK(a.client_id == b.client_id);
    CHECK(a.payload == b.payload);
}

}  // namespace

TEST_CASE("an event round-trips through the codec") {
    auto e = sample();
    auto decoded = decode_event(encode_event(e));
    REQUIRE(decoded);
    check_same(*decoded, e);
}

TEST_CASE("empty strings, long strings and negative times round-trip") {
    auto e = sample();
    e.author.clear();
    e.client_id = std::string(300, 'c');  // a two-byte varint length
    e.payload = "{}";
    e.recv_time_us = -5;
    auto decoded = decode_event(encode_event(e));
    REQUIRE(decoded);
    check_same(*decoded, e);
}

TEST_CASE("stamping sets position and seq in place") {
    auto e = sample();
    auto bytes = encode_event(e);
    stamp_event(bytes, log_position{7}, seq{3});
    auto decoded = decode_event(bytes);
    REQUIRE(decoded);
    CHECK(decoded->position == log_position{7});
    CHECK(decoded->seq == seq{3});
    CHECK(decoded->payload == e.payload);
}

TEST_CASE("decoding reuses the output event") {
    auto e = sample();
    event out;
    out.payload = std::string(1000, 'x');
    REQUIRE_FALSE(decode_event(encode_event(e), out));
    check_same(out, e);
}

TEST_CASE("malformed records are corruption, never a crash") {
    auto bytes = encode_event(sample());
    CHECK(decode_event(std::string_view{}).error() == errc::corruption);
    CHECK(decode_event(std::string_view(bytes).substr(0, codec_header_size - 1)).error() ==
          errc::corruption);
    auto bad_format = bytes;
    bad_format[0] = 9;
    CHECK(decode_event(bad_format).error() == errc::corruption);
    auto bad_type = bytes;
    bad_type[1] = static_cast<char>(200);
    CHECK(decode_event(bad_type).error() == errc::corruption);
    auto bad_length = bytes;
    bad_length[codec_header_size] = static_cast<char>(0x7F);  // author longer than the record
    CHECK(decode_event(bad_length).error() == errc::corruption);
    // Every truncation decodes to an error or to a shorter payload, never out of bounds.
    for (std::size_t n = 0; n < bytes.size(); ++n)
        (void)decode_event(std::string_view(bytes).substr(0, n));
}
