// Packed poses (packed_pose.hpp) print back to exactly the text they were
// packed from; what the form cannot spell stays JSON; and unpacking refuses
// every byte string pack_pose would not write.

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "result_printing.hpp"

#include "belay/engine/codec.hpp"
#include "packed_pose.hpp"

using namespace belay::engine;

namespace {

std::string round_trip(std::string_view json) {
    std::string packed = "head";
    REQUIRE(pack_pose(json, packed));
    REQUIRE(packed.starts_with("head"));
    std::string back;
    REQUIRE(unpack_pose(std::string_view(packed).substr(4), back));
    std::string again;
    REQUIRE(pack_pose(back, again));
    CHECK(again == packed.substr(4));
    return back;
}

bool packs(std::string_view json) {
    std::string out = "kept";
    const bool packed = pack_pose(json, out);
    if (!packed) CHECK(out == "kept");
    return packed;
}

bool unpacks(std::string_view packed) {
    std::string out;
    return unpack_pose(packed, out);
}

// A landmark as a rig sends it: MediaPipe's floats, printed shortest (none
// so small that they print with an exponent).
std::string rig_pose(std::mt19937_64& rng, int landmarks) {
    std::uniform_real_distribution<float> unit(0.001f, 1), depth(-0.5f, -0.001f);
    std::string out = R"({"pose":[)";
    for (int i = 0; i < landmarks; ++i)
        out += fmt::format(R"({}{{"x":{},"y":{},"z":{},"visibility":{}}})", i ? "," : "", unit(rng),
                           unit(rng), depth(rng), unit(rng));
    return out + "]}";
}

}  // namespace

TEST_CASE("a pose packs and prints back to the same text") {
    for (
        std::string_view json : {
            R"({"pose":[{"x":0.5,"y":0.3,"z":0.2,"visibility":0.9}]})",
            R"({"pose":[{"x":0,"y":1,"z":-0,"visibility":1.0}]})",
            R"({"pose":[{"x":-0.000,"y":-12.5,"z":0.0100,"visibility":0.99}]})",
            R"({"pose":[{"y":0.25,"x":0.5}]})",
            R"({"pose":[{"x":0.5}]})",
            R"({"pose":[{"visibility":0.1,"z":3,"y":2,"x":1}]})",
            R"({"pose":[{"x":0.1,"y":0.2},{"z":0.3,"x":0.4,"y":0.5},{"y":1,"x":2,"visibility":0}]})",
            R"({"pose":[{"x":9999999999999999999,"y":0.9999999999999999999}]})",
            R"({"pose":[{"x":-1234567890123456789.0000000000000000001,"y":0.0}]})",
        }) {
        INFO(json);
        CHECK(round_trip(json) == json);
    }
}

TEST_CASE("every order of two to four keys packs") {
    const std::string_view names[] = {"x", "y", "z", "visibility"};
    for (unsigned mask = 1; mask < 16; ++mask) {
        std::vector<int> keys;
        for (int k = 0; k < 4; ++k)
            if (mask >> k & 1) keys.push_back(k);
        do {
            std::string json = R"({"pose":[{)";
            for (std::size_t i = 0; i < keys.size(); ++i)
                json += fmt::format(R"({}"{}":0.{})", i ? "," : "", names[keys[i]], i + 1);
            json += "}]}";
            INFO(json);
            CHECK(round_trip(json) == json);
        } while (std::next_permutation(keys.begin(), keys.end()));
    }
}

TEST_CASE("a rig's pose packs to under a third of its text") {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        auto json = rig_pose(rng, 33);
        std::string packed;
        REQUIRE(pack_pose(json, packed));
        CHECK(packed.size() * 3 < json.size());
        CHECK(round_trip(json) == json);
    }
}

TEST_CASE("what the form cannot spell is not packed") {
    for (std::string_view json : {
             R"({"pose":[]})",
             R"({"pose":[{}]})",
             R"({"pose":[{"x":1e5,"y":0}]})",
             R"({"pose":[{"x":1E5,"y":0}]})",
             R"({"pose":[{"x":10000000000000000000,"y":0}]})",    // 20 digits
             R"({"pose":[{"x":0.12345678901234567890,"y":0}]})",  // 20 fraction digits
             R"({"pose":[{"x":01,"y":0}]})",
             R"({"pose":[{"x":1.,"y":0}]})",
             R"({"pose":[{"x":.5,"y":0}]})",
             R"({"pose":[{"x":-,"y":0}]})",
             R"({"pose":[{"x":+1,"y":0}]})",
             R"({"pose":[{"x":1,"x":2}]})",
             R"({"pose":[{"x":1,"t":2}]})",
             R"({"pose":[{"x":1,"visible":2}]})",
             R"({"pose":[{"x":"1","y":0}]})",
             R"({"pose":[{"x":null,"y":0}]})",
             R"({"pose":[{"x":1,"y":0},]})",
             R"({"pose":[{"x":1,"y":0}{"x":1,"y":0}]})",
             R"({"pose":[{"x":1,"y":0,}]})",
             R"({"pose":[{"x":1 ,"y":0}]})",
             R"({"pose": [{"x":1,"y":0}]})",
             R"({"pose":[{"x":1,"y":0}],"t":1})",
             R"({"pose":[{"x":1,"y":0}])",
             R"({"pose":[{"x":1,"y":0]})",
             R"({"pose":[)",
             R"({"pose":[])",
             "",
         }) {
        INFO(json);
        CHECK_FALSE(packs(json));
    }
}

TEST_CASE("unpacking refuses what pack_pose does not write") {
    std::string good;
    REQUIRE(pack_pose(R"({"pose":[{"x":1,"y":0.25}]})", good));
    REQUIRE(good == std::string("\x11\x40\x01\x02\x19", 5));  // shape (x, y), 1, .25
    CHECK(unpacks(good));
    auto with = [&](std::size_t at, char byte) {
        auto bad = good;
        bad[at] = byte;
        return bad;
    };
    CHECK_FALSE(unpacks(""));
    CHECK_FALSE(unpacks(with(0, '\x01')));  // x twice
    CHECK_FALSE(unpacks(with(0, '\x51')));  // a key in a two-key shape's unused bits
    CHECK_FALSE(unpacks(with(2, '\x00')));  // an integer part of 0
    CHECK_FALSE(unpacks(with(3, '\x14')));  // 20 fraction digits
    CHECK_FALSE(unpacks(with(3, '\x3F')));  // 63 of them
    CHECK_FALSE(unpacks(with(4, '\x64')));  // .100 in two digits
    CHECK_FALSE(unpacks(std::string("\x11\x40\x81\x00\x02\x19", 6)));  // 1 in two bytes
    CHECK_FALSE(unpacks(good + '\x11'));                               // a landmark cut short
    for (std::size_t n = 1; n < good.size(); ++n)
        CHECK_FALSE(unpacks(good.substr(0, n)));
    std::string twice = good + good;
    CHECK(unpacks(twice));
}

TEST_CASE("random bytes unpack only where they pack back the same") {
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<int> byte(0, 255), length(1, 24), edits(1, 3);
    std::string valid;
    REQUIRE(pack_pose(rig_pose(rng, 33), valid));
    std::uniform_int_distribution<std::size_t> at(0, valid.size() - 1);
    std::string text, again;
    int unpacked = 0;
    for (int i = 0; i < 200000; ++i) {
        std::string bytes;
        if (i % 2 == 0) {  // anything
            bytes.resize(static_cast<std::size_t>(length(rng)));
            for (auto& c : bytes)
                c = static_cast<char>(byte(rng) & (i % 4 ? 0x7F : 0xFF));
        } else {  // a packed pose with a few bytes changed
            bytes = valid;
            for (int n = edits(rng); n > 0; --n)
                bytes[at(rng)] = static_cast<char>(byte(rng));
        }
        if (!unpack_pose(bytes, text)) continue;
        ++unpacked;
        again.clear();
        INFO(text);
        REQUIRE(pack_pose(text, again));
        REQUIRE(again == bytes);
    }
    CHECK(unpacked > 10000);
}

TEST_CASE("the codec stores a pose packed and gives back its text") {
    event e;
    e.position = log_position{9};
    e.stream = session_id::generate();
    e.seq = seq{3};
    e.type = event_type::pose_updated;
    e.client_id = "c1";
    std::mt19937_64 rng(3);
    e.payload = rig_pose(rng, 33);
    auto bytes = encode_event(e);
    CHECK(bytes[0] == 2);
    CHECK(bytes.size() * 3 < e.payload.size());
    auto back = decode_event(bytes);
    REQUIRE(back);
    CHECK(back->payload == e.payload);
    CHECK(encode_unstamped(e.stream, e.type, 0, "", "c1", e.payload).substr(codec_header_size) ==
          bytes.substr(codec_header_size));

    SECTION("a pose it cannot spell, or another event's payload, stays JSON") {
        for (auto [type, payload] :
             {std::pair{event_type::pose_updated, R"({"pose":[{"x":1e-3,"y":0}]})"},
              std::pair{event_type::session_updated, R"({"pose":[{"x":1,"y":0}]})"}}) {
            e.type = type;
            e.payload = payload;
            bytes = encode_event(e);
            CHECK(bytes[0] == 1);
            CHECK(bytes.ends_with(payload));
            CHECK(decode_event(bytes)->payload == payload);
        }
    }
    SECTION("a packed payload on another type is corruption") {
        bytes[1] = static_cast<char>(event_type::session_updated);
        CHECK(decode_event(bytes).error() == errc::corruption);
    }
}
