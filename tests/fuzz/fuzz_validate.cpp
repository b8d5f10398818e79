// Fuzzes the live socket's client-message validator (validate.hpp) on
// arbitrary bytes, with the default limits and with small ones. Checks what
// the log relies on: an accepted message yields one of the three update
// events, a client id within its limit and a payload that is valid JSON; a
// pose or climb payload holds the very value the message held (compared
// re-printed by simdjson, so whitespace and number spelling do not count).
// What the pose fast path takes, it must give exactly as the full path does,
// and the pose it packs on the way must be what packing the payload gives.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include <simdjson.h>

#include "belay/engine/validate.hpp"
#include "packed_pose.hpp"
#include "validate_paths.hpp"

namespace {

using namespace belay::engine;

[[noreturn]] void fail(const char* what, std::string_view input) {
    std::fprintf(stderr, "fuzz_validate: %s (input %zu bytes)\n", what, input.size());
    std::abort();
}

// The member `key` of the JSON object `json`, re-printed by simdjson.
std::string member(std::string_view json, std::string_view key) {
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(json.data(), json.size()).get(object) != simdjson::SUCCESS) return "(none)";
    simdjson::dom::element value;
    if (object[key].get(value) != simdjson::SUCCESS) return "(missing)";
    return simdjson::to_string(value);
}

void check_fast_path(const validation_limits& limits, std::string_view text) {
    validated_message fast;  // the size limit is checked before the fast path
    if (text.size() > limits.max_message_bytes || !validate_plain_pose(text, limits, fast)) return;
    auto full = validate_with_dom(text, limits);
    auto* expected = std::get_if<validated_message>(&full);
    if (!expected) fail("fast path took a message the full path refuses", text);
    if (fast.type != expected->type || fast.client_id != expected->client_id ||
        fast.payload != expected->payload)
        fail("fast path and full path disagree", text);
    std::string packed;
    if (!pack_pose(fast.payload, packed)) packed.clear();
    if (fast.packed_pose != packed) fail("fast path packed the pose differently", text);
}

void check(message_validator& v, std::string_view text) {
    check_fast_path(v.limits(), text);
    auto r = v.validate(text);
    if (auto* e = std::get_if<validation_error>(&r)) {
        if (code_name(e->code).empty()) fail("validation code without a name", text);
        return;
    }
    auto& m = std::get<validated_message>(r);
    if (m.type != event_type::session_updated && m.type != event_type::climb_updated &&
        m.type != event_type::pose_updated)
        fail("accepted message becomes an unexpected event type", text);
    if (m.client_id.size() > v.limits().max_client_id_bytes) fail("client id over its limit", text);
    if (text.size() > v.limits().max_message_bytes)
        fail("message over the size limit accepted", text);
    if (!is_valid_json(m.payload)) fail("payload is not valid JSON", text);
    if (m.payload.empty() || m.payload.front() != '{') fail("payload is not an object", text);
    if (m.type == event_type::pose_updated && member(m.payload, "pose") != member(text, "pose"))
        fail("pose payload differs from the message's pose", text);
    if (m.type == event_type::climb_updated && member(m.payload, "climb") != member(text, "climb"))
        fail("climb payload differs from the message's climb", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static message_validator standard;
    static message_validator small(validation_limits{256, 4, 4, 8});
    std::string_view text(reinterpret_cast<const char*>(data), size);
    check(standard, text);
    check(small, text);
    std::int64_t us = 0;
    (void)parse_rfc3339(text, us);
    (void)is_valid_json(text);
    return 0;
}
