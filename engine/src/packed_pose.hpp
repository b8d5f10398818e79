#pragma once
// A pose payload in a third of its bytes, printed back to the same text
// (codec.cpp stores poses this way). A pose is mostly keys, quotes and
// short decimal numbers; the WAL, the memtables and their flushes carry
// every byte of it, so its size is much of what an append costs.
//
// It packs the compact text the validators produce,
//
//   {"pose":[{"x":0.512,"y":0.401,"z":-0.02,"visibility":0.9},…]}
//
// landmark by landmark: a shape byte (how many of the keys x, y, z and
// visibility, in which order, each at most once), then each number as a
// header byte (sign; integer part 0 or a varint to follow; the count of
// fraction digits, 0 to 19) and the fraction's value in as many bytes as
// that count needs (".25" one, ".512" two, ".5123456" three), its leading
// zeros restored from the count. Numbers without an exponent, integer and
// fraction parts of at most 19 digits: anything else is not packed, and the
// payload stays JSON. The packed form has one spelling per text, so unpack
// then pack gives back the same bytes, and unpack refuses every other one.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace belay::engine {

// Appends the packed form of `json` to `out` and returns true; or returns
// false, with `out` as it was, if `json` is not a pose this form spells.
[[nodiscard]] bool pack_pose(std::string_view json, std::string& out);

// Replaces `out` with the text `packed` was packed from; false if `packed`
// is not something pack_pose writes (`out` is then unspecified).
[[nodiscard]] bool unpack_pose(std::string_view packed, std::string& out);

namespace packed {

// Number header: sign, integer part not 0 (a varint follows), the count of
// fraction digits (0: no fraction).
inline constexpr unsigned negative_bit = 0x80, integer_bit = 0x40, fraction_mask = 0x3F;
inline constexpr unsigned max_digits = 19;  // 10^19 - 1 fits in 64 bits

inline constexpr auto powers = [] {
    std::array<std::uint64_t, max_digits + 1> p{};
    p[0] = 1;
    for (std::size_t i = 1; i < p.size(); ++i)
        p[i] = p[i - 1] * 10;
    return p;
}();

// The bytes a fraction of n digits takes, little-endian: the fewest that
// hold 10^n - 1 (so the count needs no varint's continuation bits).
inline constexpr auto fraction_bytes = [] {
    std::array<unsigned, max_digits + 1> b{};
    for (std::size_t n = 1; n < b.size(); ++n)
        b[n] = static_cast<unsigned>((std::bit_width(powers[n] - 1) + 7) / 8);
    return b;
}();

// Writes the packed form piece by piece at `w`: pack_pose from the text,
// and the pose fast path (plain_pose.cpp) as it validates, so that a rig's
// pose is read once. The caller keeps max_number_bytes of room before each
// number and gives each landmark its keys in order, each key once.
struct pose_writer {
    static constexpr std::ptrdiff_t max_number_bytes = 1 + 10 + 8;

    char* w;
    char* shape_at = nullptr;
    unsigned shape = 0, count = 0;

    // The shape byte: the key count less one in bits 0-1, the first three
    // keys' codes (x 0, y 1, z 2, visibility 3) in bits 2-7; a fourth is
    // the one left, and unused bits are 0.
    void begin_landmark() {
        shape_at = w++;
        shape = count = 0;
    }
    void key(unsigned code) {
        if (count < 3) shape |= code << (2 + 2 * count);
        ++count;
    }
    void end_landmark() { *shape_at = static_cast<char>(shape | (count - 1)); }

    // REQUIRES: integer < 10^19, fraction < 10^fraction_digits,
    // fraction_digits <= max_digits.
    [[gnu::always_inline]] void number(bool negative, std::uint64_t integer, std::uint64_t fraction,
                                       unsigned fraction_digits) {
        *w++ = static_cast<char>((negative ? negative_bit : 0) | (integer != 0 ? integer_bit : 0) |
                                 fraction_digits);
        while (integer != 0) {  // a varint
            *w++ = static_cast<char>((integer & 0x7F) | (integer >= 0x80 ? 0x80 : 0));
            integer >>= 7;
        }
        if (fraction_digits != 0) {  // the low bytes, little-endian
            if constexpr (std::endian::native == std::endian::little) {
                std::memcpy(w, &fraction, 8);
            } else {
                for (unsigned i = 0; i < 8; ++i)
                    w[i] = static_cast<char>(fraction >> (8 * i));
            }
            w += fraction_bytes[fraction_digits];
        }
    }
};

}  // namespace packed

}  // namespace belay::engine
