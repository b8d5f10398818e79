#pragma once
// Runs of ASCII digits, eight bytes at a time: the pose fast path
// (plain_pose.cpp) and packed poses (packed_pose.cpp) read a pose's 132
// numbers with these.

#include <bit>
#include <cstdint>
#include <cstring>

namespace belay::engine::digits {

inline constexpr std::uint64_t zeros = 0x3030303030303030;

// Past a run of ASCII digits: the first byte that is not a digit is found
// without a loop, so a short number costs one step.
[[gnu::always_inline]] inline const char* skip(const char* p, const char* end) {
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t high = 0xF0F0F0F0F0F0F0F0, low = 0x0F0F0F0F0F0F0F0F,
                                six = 0x0606060606060606, carry = 0x1010101010101010;
        while (end - p >= 8) {
            std::uint64_t v;
            std::memcpy(&v, p, 8);
            // A digit is 0x30-0x39: XOR 0x30 leaves 0-9, whose high nibble
            // is 0 and to whose low nibble adding 6 carries nothing. A byte
            // that fails either is not a digit; the first such ends the run.
            const std::uint64_t x = v ^ zeros;
            const std::uint64_t not_digit = (x & high) | (((x & low) + six) & carry);
            if (not_digit != 0) return p + (std::countr_zero(not_digit) >> 3);
            p += 8;
        }
    }
    while (p < end && static_cast<unsigned char>(*p - '0') < 10)
        ++p;
    return p;
}

// The value of the `n` digits at `p` (n < 20).
[[gnu::always_inline]] inline std::uint64_t value(const char* p, unsigned n, const char* end) {
    if constexpr (std::endian::native == std::endian::little) {
        // Up to eight digits in three multiplications: pairs of bytes, then
        // of 16-bit lanes, then of 32-bit ones. The digits are moved to the
        // top of the word (the first one lowest), so the bytes below act as
        // leading zeros; subtracting '0' from what follows the digits
        // borrows only upward, out of the word.
        auto eight = [](const char* q, unsigned count) {
            std::uint64_t v;
            std::memcpy(&v, q, 8);
            v = (v - zeros) << (8 * (8 - count));
            v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FF;
            v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFF;
            return (v * 10000 + (v >> 32)) & 0xFFFFFFFF;
        };
        if (n <= 8 && end - p >= 8) return eight(p, n);
        if (n <= 16 && end - p >= 16) {
            std::uint64_t scale = 1;
            for (unsigned i = 8; i < n; ++i)
                scale *= 10;
            return eight(p, 8) * scale + eight(p + 8, n - 8);
        }
    }
    std::uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
        v = v * 10 + static_cast<unsigned>(p[i] - '0');
    return v;
}

}  // namespace belay::engine::digits
