#include "packed_pose.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "digits.hpp"

namespace belay::engine {
namespace {

using namespace packed;

constexpr std::string_view prefix = "{\"pose\":[";
constexpr std::string_view suffix = "]}";

// The keys by their two-bit codes, quotes and colon included.
constexpr std::array<std::string_view, 4> keys = {"\"x\":", "\"y\":", "\"z\":", "\"visibility\":"};
constexpr std::size_t max_landmark_chars = 2 + 3 + 4 * (13 + 1 + max_digits + 1 + max_digits);

constexpr auto digit_pairs = [] {
    std::array<char, 200> d{};
    for (int i = 0; i < 100; ++i) {
        d[static_cast<std::size_t>(2 * i)] = static_cast<char>('0' + i / 10);
        d[static_cast<std::size_t>(2 * i + 1)] = static_cast<char>('0' + i % 10);
    }
    return d;
}();

// Reads the text; a pose_writer writes at `w`, which stays within `limit`
// (checked per number, so that the packed form, always shorter than its
// text, can be written straight into a string sized for the text).
struct packer {
    const char* p;
    const char* end;
    pose_writer out;
    char* limit;

    // A key, its quotes and colon; its code, or -1.
    [[gnu::always_inline]] int key() {
        if (end - p < 4 || p[0] != '"') return -1;
        if (p[2] == '"' && p[3] == ':' && p[1] >= 'x' && p[1] <= 'z') {
            const int code = p[1] - 'x';
            p += 4;
            return code;
        }
        const auto& visibility = keys[3];
        if (static_cast<std::size_t>(end - p) < visibility.size() ||
            std::memcmp(p, visibility.data(), visibility.size()) != 0)
            return -1;
        p += visibility.size();
        return 3;
    }

    // One to max_digits digits: their count, or 0.
    [[gnu::always_inline]] unsigned digit_run(std::uint64_t& value) {
        const char* start = p;
        p = digits::skip(p, end);
        const auto count = static_cast<unsigned>(p - start);
        if (count == 0 || count > max_digits) return 0;
        value = digits::value(start, count, end);
        return count;
    }

    // What follows is checked by the caller: a number ends at ',' or '}'
    // (so "01" or "1e5" is refused there).
    [[gnu::always_inline]] bool number() {
        if (limit - out.w < pose_writer::max_number_bytes || p == end) return false;
        const bool negative = *p == '-';
        if (negative) ++p;
        if (p == end) return false;
        std::uint64_t integer = 0, fraction = 0;
        unsigned fraction_digits = 0;
        if (*p == '0')
            ++p;
        else if (digit_run(integer) == 0)
            return false;
        if (p < end && *p == '.') {
            ++p;
            fraction_digits = digit_run(fraction);
            if (fraction_digits == 0) return false;
        }
        out.number(negative, integer, fraction, fraction_digits);
        return true;
    }

    bool landmark() {
        if (p == end || *p != '{' || out.w == limit) return false;
        ++p;
        out.begin_landmark();
        unsigned seen = 0;
        for (;;) {
            const int code = key();
            if (code < 0 || (seen >> code & 1) != 0) return false;
            seen |= 1u << code;
            out.key(static_cast<unsigned>(code));
            if (!number() || p == end) return false;
            if (*p++ == '}') break;
            if (p[-1] != ',') return false;
        }
        out.end_landmark();
        return true;
    }
};

// `width` digits of `v` (< 10^width), zero-padded; past them.
[[gnu::always_inline]] inline char* put_digits(char* at, std::uint64_t v, unsigned width) {
    char* const end = at + width;
    char* q = end;
    while (q - at >= 2) {
        q -= 2;
        std::memcpy(q, digit_pairs.data() + 2 * (v % 100), 2);
        v /= 100;
    }
    if (q != at) *--q = static_cast<char>('0' + v);
    return end;
}

// Eight ASCII digits of `v` (< 10^8), zero-padded, the first in the lowest
// byte: the two halves of four digits in 32-bit lanes, each split into
// 16-bit lanes of two digits, each into bytes (x / 100 as x * 10486 >> 20
// for x < 10^4, y / 10 as y * 103 >> 10 for y < 100).
[[gnu::always_inline]] inline std::uint64_t ascii8(std::uint64_t v) {
    std::uint64_t x = v / 10000 | (v % 10000) << 32;
    const std::uint64_t hundreds = (x * 10486 >> 20) & 0x0000007F0000007F;
    x = hundreds | (x - hundreds * 100) << 16;
    const std::uint64_t tens = (x * 103 >> 10) & 0x000F000F000F000F;
    x = tens | (x - tens * 10) << 8;
    return x + digits::zeros;
}

// The last `n` (1 to 8) of ascii8(v) at `at`, which has room for 8.
[[gnu::always_inline]] inline char* put_ascii8(char* at, std::uint64_t v, unsigned n) {
    const std::uint64_t text = ascii8(v) >> (8 * (8 - n));
    std::memcpy(at, &text, 8);
    return at + n;
}

// A fraction's `width` digits (< 10^width), at `at` with room for 8 more.
[[gnu::always_inline]] inline char* put_fraction(char* at, std::uint64_t v, unsigned width) {
    if constexpr (std::endian::native == std::endian::little) {
        if (width <= 8) return put_ascii8(at, v, width);
        if (width <= 16) {
            at = put_ascii8(at, v / powers[8], width - 8);
            return put_ascii8(at, v % powers[8], 8);
        }
    }
    return put_digits(at, v, width);
}

unsigned width(std::uint64_t v) {
    unsigned n = 1;
    while (n < max_digits && v >= powers[n])
        ++n;
    return n;
}

// The keys in 16-byte slots, so that each is one fixed-size copy.
constexpr auto key_slots = [] {
    std::array<std::array<char, 16>, 4> slots{};
    for (std::size_t k = 0; k < keys.size(); ++k)
        for (std::size_t i = 0; i < keys[k].size(); ++i)
            slots[k][i] = keys[k][i];
    return slots;
}();

struct unpacker {
    const std::uint8_t* p;
    const std::uint8_t* end;

    // A varint in its shortest spelling, below `limit`.
    [[gnu::always_inline]] bool varint(std::uint64_t& v, std::uint64_t limit) {
        if (p < end && *p < 0x80) {
            v = *p++;
            return v < limit;
        }
        v = 0;
        for (int shift = 0; p < end && shift < 64; shift += 7) {
            const std::uint64_t byte = *p++;
            if (shift == 63 && byte > 1) return false;
            v |= (byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) return byte != 0 && v < limit;
        }
        return false;
    }

    [[gnu::always_inline]] char* number(char* at) {
        if (p == end) return nullptr;
        const unsigned header = *p++;
        const unsigned fraction_digits = header & fraction_mask;
        if (fraction_digits > max_digits) return nullptr;
        *at = '-';
        at += header >> 7;
        std::uint64_t v;
        if ((header & integer_bit) != 0) {
            if (!varint(v, powers[max_digits]) || v == 0) return nullptr;
            at = put_digits(at, v, width(v));
        } else {
            *at++ = '0';
        }
        if (fraction_digits != 0) {
            const unsigned bytes = fraction_bytes[fraction_digits];
            if (static_cast<unsigned>(end - p) < bytes) return nullptr;
            v = 0;
            if (std::endian::native == std::endian::little && end - p >= 8) {
                std::memcpy(&v, p, 8);
                v &= ~std::uint64_t{0} >> (64 - 8 * bytes);
            } else {
                for (unsigned i = 0; i < bytes; ++i)
                    v |= std::uint64_t{p[i]} << (8 * i);
            }
            p += bytes;
            if (v >= powers[fraction_digits]) return nullptr;
            *at++ = '.';
            at = put_fraction(at, v, fraction_digits);
        }
        return at;
    }

    // One landmark at `at`, which has room for max_landmark_chars + 16.
    char* landmark(char* at) {
        const unsigned shape = *p++;
        const unsigned count = (shape & 3) + 1;
        if (count < 3 && (shape >> (2 + 2 * count)) != 0) return nullptr;
        *at++ = '{';
        unsigned seen = 0;
        for (unsigned i = 0; i < count; ++i) {
            const unsigned code =
                i < 3 ? shape >> (2 + 2 * i) & 3 : static_cast<unsigned>(std::countr_one(seen));
            if ((seen >> code & 1) != 0) return nullptr;
            seen |= 1u << code;
            if (i != 0) *at++ = ',';
            std::memcpy(at, key_slots[code].data(), 16);
            at += keys[code].size();
            at = number(at);
            if (at == nullptr) return nullptr;
        }
        *at++ = '}';
        return at;
    }
};

}  // namespace

bool pack_pose(std::string_view json, std::string& out) {
    if (json.size() < prefix.size() + suffix.size() || !json.starts_with(prefix) ||
        !json.ends_with(suffix))
        return false;
    const std::size_t start = out.size();
    // The packed form is shorter than the text; the slack is for the
    // eight-byte stores.
    constexpr std::size_t slack = 32;
    out.resize(start + json.size() + slack);
    char* const base = out.data() + start;
    packer k{json.data() + prefix.size(),
             json.data() + json.size() - suffix.size(),
             {base},
             base + json.size() + slack};
    while (k.landmark()) {
        if (k.p == k.end) {
            out.resize(start + static_cast<std::size_t>(k.out.w - base));
            return true;
        }
        if (*k.p++ != ',') break;
    }
    out.resize(start);
    return false;
}

bool unpack_pose(std::string_view packed, std::string& out) {
    // Written here, then copied once: a string cannot grow without
    // zeroing what it grows by.
    thread_local std::string text;
    constexpr std::size_t room = max_landmark_chars + 16;
    unpacker u{reinterpret_cast<const std::uint8_t*>(packed.data()),
               reinterpret_cast<const std::uint8_t*>(packed.data() + packed.size())};
    if (u.p == u.end) return false;
    if (text.size() < prefix.size() + room) text.resize(4096);
    std::memcpy(text.data(), prefix.data(), prefix.size());
    std::size_t size = prefix.size();
    for (bool first = true; u.p != u.end; first = false) {
        if (text.size() - size < room + 1 + suffix.size()) text.resize(text.size() * 2);
        char* at = text.data() + size;
        if (!first) *at++ = ',';
        at = u.landmark(at);
        if (at == nullptr) return false;
        size = static_cast<std::size_t>(at - text.data());
    }
    std::memcpy(text.data() + size, suffix.data(), suffix.size());
    out.assign(text.data(), size + suffix.size());
    return true;
}

}  // namespace belay::engine
