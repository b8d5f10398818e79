// Fuzzes the event codec (codec.hpp): decode arbitrary bytes; whatever
// decodes must survive encode → decode unchanged, encode_unstamped +
// stamp_event must equal encode_event, and the JSON Lines export of the
// event (jsonl.hpp), when it parses back, must give the same event. The
// input is also tried as a pose's text and as a packed pose
// (packed_pose.hpp): what packs must print back to the same text, and what
// unpacks must pack back to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "belay/engine/codec.hpp"
#include "belay/engine/jsonl.hpp"
#include "belay/engine/validate.hpp"
#include "packed_pose.hpp"

namespace {

using namespace belay::engine;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_codec: %s\n", what);
    std::abort();
}

bool same_header(const event& a, const event& b) {
    return a.position.value == b.position.value && a.seq.value == b.seq.value &&
           a.stream == b.stream && a.type == b.type && a.recv_time_us == b.recv_time_us &&
           a.author == b.author && a.client_id == b.client_id;
}

void check_packed_pose(std::string_view bytes) {
    std::string text, packed;
    if (pack_pose(bytes, packed) && (!unpack_pose(packed, text) || text != bytes))
        fail("a packed pose does not print back to its text");
    packed.clear();
    if (unpack_pose(bytes, text) && (!pack_pose(text, packed) || packed != bytes))
        fail("an unpacked pose does not pack back to its bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    check_packed_pose(bytes);
    auto decoded = decode_event(bytes);
    if (!decoded) return 0;
    const event& e = *decoded;

    std::string encoded = encode_event(e);
    auto again = decode_event(encoded);
    if (!again) fail("re-encoded event does not decode");
    if (!same_header(e, *again) || e.payload != again->payload)
        fail("encode/decode round trip differs");
    if (encode_event(*again) != encoded) fail("encoding is not stable");
    // Decoding reuses the strings of `out`: decode into a used event too.
    event reused = *again;
    reused.author.assign(300, 'x');
    if (decode_event(encoded, reused) || !same_header(e, reused) || reused.payload != e.payload)
        fail("decode into a used event differs");

    std::string unstamped =
        encode_unstamped(e.stream, e.type, e.recv_time_us, e.author, e.client_id, e.payload);
    stamp_event(unstamped, e.position, e.seq);
    if (unstamped != encoded) fail("encode_unstamped + stamp_event differs from encode_event");

    (void)format_time_us(e.recv_time_us);
    if (is_valid_json(e.payload)) {
        std::string line;
        append_json_line(line, e);
        auto back = parse_json_line(line);
        if (back && !same_header(e, *back)) fail("JSON Lines export/import round trip differs");
    }
    return 0;
}
