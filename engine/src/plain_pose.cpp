// The pose fast path (validate_paths.hpp). A rig's pose_update is most of
// what the live sockets receive, and simdjson's DOM spends most of its time
// on it converting 132 numbers to doubles that only need to be finite. This
// recognizes a narrow, plain form of the message in one pass:
//
//   {"type":"pose_update","id":"<printable ASCII>","pose":[<landmark>,...]}
//
// members in any order, "id" optional, JSON whitespace anywhere between
// tokens; a landmark holds "x" and "y" and maybe "z" and "visibility", each
// once, in any order, and nothing else. Numbers have no exponent and at most
// 15 integer digits, so they are always finite; "visibility" is 0.… or 1,
// 1.0…, so always within [0, 1]. Anything else (an escape, another key, a
// non-ASCII byte, an error of any kind) is not handled here, and the full
// path gives its answer, errors and their wording included. On the way, it
// packs the pose as the log stores it (packed_pose.hpp), so that the
// numbers are read once.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "digits.hpp"
#include "packed_pose.hpp"
#include "validate_paths.hpp"

namespace belay::engine {
namespace {

// Longer numbers go the full path (its parser is the one that knows what a
// long mantissa rounds to); no landmark needs this many digits.
constexpr std::size_t max_number_chars = 40;
constexpr std::size_t max_integer_digits = 15;

bool is_space(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

struct scanner {
    const char* p;
    const char* end;
    bool spaced = false;  // whitespace was skipped somewhere
    // The pose packed as it is read (packed_pose.hpp), within `pack_limit`;
    // `packing` turns false at a number the form cannot hold.
    packed::pose_writer packer{nullptr};
    char* pack_limit = nullptr;
    bool packing = false;

    void space() {
        const char* start = p;
        while (p < end && is_space(*p))
            ++p;
        if (p != start) spaced = true;
    }
    bool eat(char c) {
        if (p == end || *p != c) return false;
        ++p;
        return true;
    }
    // `word` (a key or value with its closing quote), of a size the
    // compiler knows.
    template <std::size_t N>
    bool literal(const char (&word)[N]) {
        constexpr std::size_t size = N - 1;
        if (static_cast<std::size_t>(end - p) < size || !same(p, word, size)) return false;
        p += size;
        return true;
    }
    // memcmp == 0 for 8 to 16 bytes as two overlapping 8-byte compares
    // (the library call cost a fifth of the scan for "visibility\"").
    static bool same(const char* a, const char* b, std::size_t size) {
        if (size < 8 || size > 16) return std::memcmp(a, b, size) == 0;
        std::uint64_t a0, a1, b0, b1;
        std::memcpy(&a0, a, 8);
        std::memcpy(&b0, b, 8);
        std::memcpy(&a1, a + size - 8, 8);
        std::memcpy(&b1, b + size - 8, 8);
        return ((a0 ^ b0) | (a1 ^ b1)) == 0;
    }
    bool colon() {
        space();
        if (!eat(':')) return false;
        space();
        return true;
    }
    // The rest of a string of printable ASCII without escapes, after its
    // opening quote.
    bool plain_string(std::string_view& out) {
        const char* start = p;
        while (p < end && *p != '"') {
            auto c = static_cast<unsigned char>(*p);
            if (c < 0x20 || c >= 0x7F || c == '\\') return false;
            ++p;
        }
        if (p == end) return false;
        out = std::string_view(start, static_cast<std::size_t>(p - start));
        ++p;
        return true;
    }

    // A number as above. `unit` also requires it to be within [0, 1].
    bool number(bool unit) {
        const char* start = p;
        const bool negative = eat('-');
        const char* integer = p;
        if (p == end) return false;
        if (*p == '0') {
            ++p;
        } else if (*p >= '1' && *p <= '9') {
            p = digits::skip(p, end);
        } else {
            return false;
        }
        const auto integer_digits = static_cast<std::size_t>(p - integer);
        if (integer_digits > max_integer_digits) return false;
        const char* fraction = p;
        if (p < end && *p == '.') {
            fraction = ++p;
            p = digits::skip(p, end);
            if (p == fraction) return false;
        }
        if (p < end && (*p == 'e' || *p == 'E')) return false;
        if (static_cast<std::size_t>(p - start) > max_number_chars) return false;
        if (unit && !within_unit(negative, integer, integer_digits, fraction)) return false;
        if (packing) pack(negative, integer, integer_digits, fraction);
        return true;
    }

    // The number that ends at `p` is 0.…, or 1 and zeros.
    bool within_unit(bool negative, const char* integer, std::size_t integer_digits,
                     const char* fraction) const {
        if (negative) return false;
        if (*integer == '0') return true;
        return *integer == '1' && integer_digits == 1 &&
               std::all_of(fraction, p, [](char c) { return c == '0'; });
    }

    // The number that ends at `p`, in the packed form.
    void pack(bool negative, const char* integer, std::size_t integer_digits,
              const char* fraction) {
        const auto fraction_digits = static_cast<unsigned>(p - fraction);
        if (fraction_digits > packed::max_digits ||
            pack_limit - packer.w < packed::pose_writer::max_number_bytes) {
            packing = false;
            return;
        }
        const std::uint64_t whole =
            *integer == '0' ? 0
                            : digits::value(integer, static_cast<unsigned>(integer_digits), end);
        const std::uint64_t part =
            fraction_digits == 0 ? 0 : digits::value(fraction, fraction_digits, end);
        packer.number(negative, whole, part, fraction_digits);
    }

    bool landmark() {
        if (!eat('{')) return false;
        if (packing) {
            if (pack_limit - packer.w < 1)
                packing = false;
            else
                packer.begin_landmark();
        }
        // x, y, z, visibility: the packed form's key codes.
        constexpr unsigned visibility = 3;
        bool seen[4] = {};
        for (;;) {
            space();
            if (!eat('"')) return false;
            if (end - p < 2) return false;
            unsigned key = 0;
            switch (*p) {
                case 'x':
                case 'y':
                case 'z':
                    key = static_cast<unsigned>(*p - 'x');
                    if (p[1] != '"') return false;
                    p += 2;
                    break;
                case 'v':
                    key = visibility;
                    if (!literal("visibility\"")) return false;
                    break;
                default:
                    return false;
            }
            if (seen[key] || !colon()) return false;
            if (packing) packer.key(key);
            if (!number(key == visibility)) return false;
            seen[key] = true;
            space();
            if (eat('}')) {
                if (packing) packer.end_landmark();
                return seen[0] && seen[1];
            }
            if (!eat(',')) return false;
        }
    }

    bool pose(std::size_t max_landmarks) {
        if (!eat('[')) return false;
        for (std::size_t count = 1;; ++count) {
            if (count > max_landmarks) return false;
            space();
            if (!landmark()) return false;
            space();
            if (eat(']')) return true;
            if (!eat(',')) return false;
        }
    }
};

}  // namespace

bool validate_plain_pose(std::string_view text, const validation_limits& limits,
                         validated_message& out) {
    scanner s{text.data(), text.data() + text.size()};
    s.space();
    if (!s.eat('{')) return false;
    bool type = false, have_id = false;
    std::string_view id, pose;
    bool pose_spaced = false;
    for (;;) {
        s.space();
        if (!s.eat('"')) return false;
        if (s.literal("type\"")) {
            if (type || !s.colon() || !s.literal("\"pose_update\"")) return false;
            type = true;
        } else if (s.literal("id\"")) {
            if (have_id || !s.colon() || !s.eat('"') || !s.plain_string(id)) return false;
            if (id.empty() || id.size() > limits.max_client_id_bytes) return false;
            have_id = true;
        } else if (s.literal("pose\"")) {
            if (!pose.empty() || !s.colon()) return false;
            // The packed form is shorter than the pose's text (the slack is
            // for its eight-byte stores).
            out.packed_pose.resize(static_cast<std::size_t>(s.end - s.p) + 32);
            s.packer.w = out.packed_pose.data();
            s.pack_limit = s.packer.w + out.packed_pose.size();
            s.packing = true;
            const char* start = s.p;
            const bool spaced_before = s.spaced;
            s.spaced = false;
            if (!s.pose(limits.max_landmarks)) return false;
            pose = std::string_view(start, static_cast<std::size_t>(s.p - start));
            pose_spaced = s.spaced;
            s.spaced = spaced_before || pose_spaced;
        } else {
            return false;
        }
        s.space();
        if (s.eat('}')) break;
        if (!s.eat(',')) return false;
    }
    s.space();
    if (s.p != s.end || !type || pose.empty()) return false;

    out.type = event_type::pose_updated;
    out.client_id.assign(id);
    out.packed_pose.resize(s.packing ? static_cast<std::size_t>(s.packer.w - out.packed_pose.data())
                                     : 0);
    out.payload.clear();
    out.payload.reserve(pose.size() + 10);
    out.payload += "{\"pose\":";
    if (!pose_spaced) {
        out.payload += pose;
    } else {
        // Only structure and numbers in here: every whitespace byte goes.
        for (char c : pose)
            if (!is_space(c)) out.payload += c;
    }
    out.payload += '}';
    return true;
}

}  // namespace belay::engine
