// The pose fast path against the full validator: whatever the fast path
// takes, it must give exactly what the full path gives, and the pose it
// packs on the way must be what packing the payload gives; and it must take
// the poses rigs send, or the live path quietly loses its speed.

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "belay/engine/validate.hpp"
#include "packed_pose.hpp"
#include "validate_paths.hpp"

using namespace belay::engine;

namespace {

// True when the fast path took `text`; fails the test if what it gave is
// not what the full path gives.
bool same_as_full_path(std::string_view text, const validation_limits& limits = {}) {
    validated_message fast;
    if (!validate_plain_pose(text, limits, fast)) return false;
    auto full = validate_with_dom(text, limits);
    INFO("message: " << text);
    if (auto* error = std::get_if<validation_error>(&full)) FAIL("full path: " << error->message);
    auto& expected = std::get<validated_message>(full);
    CHECK(fast.type == expected.type);
    CHECK(fast.client_id == expected.client_id);
    CHECK(fast.payload == expected.payload);
    std::string packed;
    if (pack_pose(fast.payload, packed))
        CHECK(fast.packed_pose == packed);
    else
        CHECK(fast.packed_pose.empty());
    return true;
}

std::string pose(std::string_view landmarks, std::string_view id = R"("id":"7",)") {
    return R"({"type":"pose_update",)" + std::string(id) + R"("pose":[)" + std::string(landmarks) +
           "]}";
}

}  // namespace

TEST_CASE("the fast path takes the poses rigs send", "[validate][plain_pose]") {
    // The bench's rigs, MediaPipe's spelling, no id, members in another
    // order, whitespace, integers, a visibility of exactly 0 or 1.
    std::string mediapipe;
    for (int i = 0; i < 33; ++i) {
        if (i) mediapipe += ',';
        mediapipe +=
            R"({"x":0.5123456789,"y":0.48765432101,"z":-0.0312345678,"visibility":0.99987})";
    }
    for (const std::string& text : {
             pose(mediapipe),
             pose(R"({"x":0.000,"y":0.123,"z":17,"visibility":0.9})"),
             pose(R"({"x":0.5,"y":0.5})", ""),
             std::string(
                 R"({"pose":[{"visibility":1,"y":-3.25,"x":12}],"id":"r-1","type":"pose_update"})"),
             std::string(" {\n \"type\" : \"pose_update\" ,\t\"pose\" :\r\n[ { \"x\" : 0 , \"y\" : "
                         "1.0 } ] } "),
             pose(R"({"x":-0,"y":0,"visibility":0},{"x":1,"y":2,"visibility":1.000})"),
         }) {
        INFO(text);
        CHECK(same_as_full_path(text));
    }
}

TEST_CASE("the fast path leaves the rest, and every error, to the full path",
          "[validate][plain_pose]") {
    const std::vector<std::string> others{
        // not a plain pose
        R"({"type":"climb_update","climb":{"holds":[],"status":"started"}})",
        R"({"type":"pose_update","pose":[{"x":1e-3,"y":0}]})",
        R"({"type":"pose_update","pose":[{"x":1,"y":0,"label":"hip"}]})",
        R"({"type":"pose_update","pose":[{"x":1,"y":0}],"extra":1})",
        R"({"type":"pose_update","id":"caf\u00e9","pose":[{"x":1,"y":0}]})",
        "{\"type\":\"pose_update\",\"id\":\"caf\xc3\xa9\",\"pose\":[{\"x\":1,\"y\":0}]}",
        R"({"type":"pose_update","pose":[{"x":1234567890123456,"y":0}]})",
        R"({"type":"pose_update","pose":[{"x":0.1234567890123456789012345678901234567890123,"y":0}]})",
        R"({"type":"pose_update","pose":[{"x":0,"y":0,"visibility":-0.0}]})",
        R"({"type":"pose_update","pose":[{"x":0,"y":0,"visibility":1.00000000000000000001}]})",
        // errors
        R"({"type":"pose_update","pose":[]})",
        R"({"type":"pose_update","pose":[{"x":0.5}]})",
        R"({"type":"pose_update","pose":[{"x":0.5,"y":0.5,"x":0.5}]})",
        R"({"type":"pose_update","pose":[{"x":0.5,"y":0.5,"visibility":1.5}]})",
        R"({"type":"pose_update","pose":[{"x":0.5,"y":0.5,"visibility":-0.1}]})",
        R"({"type":"pose_update","pose":[{"x":0.5,"y":0.5,"visibility":2}]})",
        R"({"type":"pose_update","pose":[{"x":01,"y":0.5}]})",
        R"({"type":"pose_update","pose":[{"x":1.,"y":0.5}]})",
        R"({"type":"pose_update","pose":[{"x":.5,"y":0.5}]})",
        R"({"type":"pose_update","pose":[{"x":-,"y":0.5}]})",
        R"({"type":"pose_update","pose":[{"x":+1,"y":0.5}]})",
        R"({"type":"pose_update","pose":[{"x":1,"y":0.5},]})",
        R"({"type":"pose_update","pose":[{"x":1,"y":0.5,}]})",
        R"({"type":"pose_update","pose":[{"x":1,"y":0.5}]},)",
        R"({"type":"pose_update","pose":[{"x":1,"y":0.5}]} x)",
        R"({"type":"pose_update","pose":[{"x":1,"y":0.5}])",
        R"({"type":"pose_update","type":"pose_update","pose":[{"x":1,"y":0}]})",
        R"({"type":"pose_update","pose":[{"x":1,"y":0}],"pose":[{"x":1,"y":0}]})",
        R"({"type":"pose_update","id":"a","id":"b","pose":[{"x":1,"y":0}]})",
        R"({"type":"pose_update","id":"","pose":[{"x":1,"y":0}]})",
        R"({"type":"pose_update","id":7,"pose":[{"x":1,"y":0}]})",
        R"({"type":"pose_updated","pose":[{"x":1,"y":0}]})",
        R"({"pose":[{"x":1,"y":0}]})",
        "{\"type\":\"pose_update\",\"id\":\"a\tb\",\"pose\":[{\"x\":1,\"y\":0}]}",
        "{\"type\":\"pose_update\",\"pose\":[{\"x\":1,\"y\":0}]}\v",
        R"([{"type":"pose_update","pose":[{"x":1,"y":0}]}])",
        "",
        "{",
    };
    for (const auto& text : others) {
        INFO(text);
        validated_message out;
        CHECK_FALSE(validate_plain_pose(text, {}, out));
    }
    // The limits are the full path's to enforce.
    validated_message out;
    CHECK_FALSE(
        validate_plain_pose(pose(R"({"x":1,"y":0},{"x":1,"y":0})"), {1 << 20, 512, 1, 128}, out));
    CHECK(same_as_full_path(pose(R"({"x":1,"y":0},{"x":1,"y":0})"), {1 << 20, 512, 2, 128}));
    CHECK_FALSE(validate_plain_pose(pose(R"({"x":1,"y":0})", R"("id":"123456789",)"),
                                    {1 << 20, 512, 128, 8}, out));
    CHECK(
        same_as_full_path(pose(R"({"x":1,"y":0})", R"("id":"12345678",)"), {1 << 20, 512, 128, 8}));
}

TEST_CASE("the fast path agrees with the full path on random poses", "[validate][plain_pose]") {
    // Landmarks built from pieces that are sometimes wrong: whatever the fast
    // path takes must come out as the full path has it.
    std::mt19937 rng(20261126);
    auto pick = [&](const std::vector<std::string>& from) {
        return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
    };
    const std::vector<std::string> numbers{"0",
                                           "-0",
                                           "1",
                                           "0.5",
                                           "-0.25",
                                           "1.0",
                                           "1.000",
                                           "0.999",
                                           "12",
                                           "-7.125",
                                           "2",
                                           "1.5",
                                           "0.51234567890",
                                           "-0.03123456789",
                                           "3.14159265358979"};
    const std::vector<std::string> bad_numbers{"00", "1e2", "0.", "-", "1E-2", "+1", ".5", "0x1"};
    const std::vector<std::string> spaces{"", "", "", " ", "\n", " \t"};
    auto chance = [&](int percent) {
        return std::uniform_int_distribution<int>(1, 100)(rng) <= percent;
    };
    int taken = 0;
    for (int round = 0; round < 4000; ++round) {
        std::string landmarks;
        const int count = std::uniform_int_distribution<int>(1, 4)(rng);
        for (int l = 0; l < count; ++l) {
            if (l) landmarks += pick(spaces) + "," + pick(spaces);
            std::vector<std::string> keys{"x", "y", "z", "visibility"};
            std::shuffle(keys.begin(), keys.end(), rng);
            if (chance(5)) keys.push_back(pick({"x", "w", "visibility"}));
            if (chance(5)) keys.erase(keys.begin());
            landmarks += "{";
            for (std::size_t f = 0; f < keys.size(); ++f) {
                if (f) landmarks += ",";
                auto number = chance(3) ? pick(bad_numbers) : pick(numbers);
                if (keys[f] == "visibility" && chance(70)) number = pick({"0", "0.5", "1", "0.99"});
                landmarks += pick(spaces) + "\"" + keys[f] + "\"" + pick(spaces) + ":" +
                             pick(spaces) + (chance(3) ? pick(numbers) + "x" : number) +
                             pick(spaces);
            }
            landmarks += "}";
        }
        const auto text = pose(landmarks);
        if (same_as_full_path(text)) ++taken;
    }
    // Enough of them are plain for the comparison to mean something.
    CHECK(taken > 1000);
}
