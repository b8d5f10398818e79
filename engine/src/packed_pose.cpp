#include "packed_pose.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "belay/engine/bytes.hpp"

namespace belay::engine {
namespace {

constexpr std::string_view prefix = "{\"pose\":[";
constexpr std::string_view suffix = "]}";

// Number header: sign, integer part not 0 (a varint follows), fraction
// digits (0: no fraction).
constexpr unsigned negative_bit = 0x80, integer_bit = 0x40, fraction_mask = 0x3F;
constexpr int max_digits = 19;  // 10^19 - 1 fits in 64 bits

// The keys by their two-bit codes, quotes and colon included.
constexpr std::array<std::string_view, 4> keys = {"\"x\":", "\"y\":", "\"z\":", "\"visibility\":"};
constexpr std::size_t max_landmark_chars = 2 + 3 + 4 * (13 + 1 + max_digits + 1 + max_digits);

constexpr auto powers = [] {
    std::array<std::uint64_t, max_digits + 1> p{};
    p[0] = 1;
    for (std::size_t i = 1; i < p.size(); ++i)
        p[i] = p[i - 1] * 10;
    return p;
}();

constexpr auto digit_pairs = [] {
    std::array<char, 200> d{};
    for (int i = 0; i < 100; ++i) {
        d[static_cast<std::size_t>(2 * i)] = static_cast<char>('0' + i / 10);
        d[static_cast<std::size_t>(2 * i + 1)] = static_cast<char>('0' + i % 10);
    }
    return d;
}();

bool is_digit(char c) {
    return static_cast<unsigned char>(c - '0') < 10;
}

struct packer {
    const char* p;
    const char* end;
    std::string& out;

    // A key, its quotes and colon; its code, or -1.
    int key() {
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

    // One to max_digits digits.
    bool digits(std::uint64_t& value, int& count) {
        const char* start = p;
        value = 0;
        while (p < end && is_digit(*p)) {
            if (p - start == max_digits) return false;
            value = value * 10 + static_cast<unsigned>(*p - '0');
            ++p;
        }
        count = static_cast<int>(p - start);
        return count > 0;
    }

    // What follows is checked by the caller: a number ends at ',' or '}'
    // (so "01" or "1e5" is refused there).
    bool number() {
        unsigned header = 0;
        if (p < end && *p == '-') {
            header |= negative_bit;
            ++p;
        }
        if (p == end) return false;
        std::uint64_t integer = 0, fraction = 0;
        int count = 0, fraction_digits = 0;
        if (*p == '0')
            ++p;
        else if (!digits(integer, count))
            return false;
        if (p < end && *p == '.') {
            ++p;
            if (!digits(fraction, fraction_digits)) return false;
        }
        if (integer != 0) header |= integer_bit;
        header |= static_cast<unsigned>(fraction_digits);
        out.push_back(static_cast<char>(header));
        if (integer != 0) put_varint(out, integer);
        if (fraction_digits != 0) put_varint(out, fraction);
        return true;
    }

    // Shape byte: the key count less one in bits 0-1, the first three keys'
    // codes in bits 2-7 (a fourth is the one left; unused bits are 0).
    bool landmark() {
        if (p == end || *p != '{') return false;
        ++p;
        const std::size_t shape_at = out.size();
        out.push_back(0);
        unsigned seen = 0, shape = 0, count = 0;
        for (;;) {
            const int code = key();
            if (code < 0 || (seen >> code & 1) != 0) return false;
            seen |= 1u << code;
            if (count < 3) shape |= static_cast<unsigned>(code) << (2 + 2 * count);
            ++count;
            if (!number() || p == end) return false;
            if (*p++ == '}') break;
            if (p[-1] != ',') return false;
        }
        out[shape_at] = static_cast<char>(shape | (count - 1));
        return true;
    }
};

// `width` digits of `v` (< 10^width), zero-padded; past them.
char* put_digits(char* at, std::uint64_t v, int width) {
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

int width(std::uint64_t v) {
    int n = 1;
    while (n < max_digits && v >= powers[static_cast<std::size_t>(n)])
        ++n;
    return n;
}

struct unpacker {
    const std::uint8_t* p;
    const std::uint8_t* end;

    // A varint in its shortest spelling, below `limit`.
    bool varint(std::uint64_t& v, std::uint64_t limit) {
        v = 0;
        for (int shift = 0; p < end && shift < 64; shift += 7) {
            const std::uint64_t byte = *p++;
            if (shift == 63 && byte > 1) return false;
            v |= (byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) return (byte != 0 || shift == 0) && v < limit;
        }
        return false;
    }

    char* number(char* at) {
        if (p == end) return nullptr;
        const unsigned header = *p++;
        const int fraction_digits = static_cast<int>(header & fraction_mask);
        if (fraction_digits > max_digits) return nullptr;
        if ((header & negative_bit) != 0) *at++ = '-';
        std::uint64_t v;
        if ((header & integer_bit) != 0) {
            if (!varint(v, powers[max_digits]) || v == 0) return nullptr;
            at = put_digits(at, v, width(v));
        } else {
            *at++ = '0';
        }
        if (fraction_digits != 0) {
            if (!varint(v, powers[static_cast<std::size_t>(fraction_digits)])) return nullptr;
            *at++ = '.';
            at = put_digits(at, v, fraction_digits);
        }
        return at;
    }

    bool landmark(std::string& out) {
        const unsigned shape = *p++;
        const unsigned count = (shape & 3) + 1;
        if (count < 3 && (shape >> (2 + 2 * count)) != 0) return false;
        char text[max_landmark_chars];
        char* at = text;
        *at++ = '{';
        unsigned seen = 0;
        for (unsigned i = 0; i < count; ++i) {
            const unsigned code =
                i < 3 ? shape >> (2 + 2 * i) & 3 : static_cast<unsigned>(std::countr_one(seen));
            if ((seen >> code & 1) != 0) return false;
            seen |= 1u << code;
            if (i != 0) *at++ = ',';
            std::memcpy(at, keys[code].data(), keys[code].size());
            at += keys[code].size();
            at = number(at);
            if (at == nullptr) return false;
        }
        *at++ = '}';
        out.append(text, static_cast<std::size_t>(at - text));
        return true;
    }
};

}  // namespace

bool pack_pose(std::string_view json, std::string& out) {
    if (json.size() < prefix.size() + suffix.size() || !json.starts_with(prefix) ||
        !json.ends_with(suffix))
        return false;
    const std::size_t start = out.size();
    packer k{json.data() + prefix.size(), json.data() + json.size() - suffix.size(), out};
    while (k.landmark()) {
        if (k.p == k.end) return true;
        if (*k.p++ != ',') break;
    }
    out.resize(start);
    return false;
}

bool unpack_pose(std::string_view packed, std::string& out) {
    unpacker u{reinterpret_cast<const std::uint8_t*>(packed.data()),
               reinterpret_cast<const std::uint8_t*>(packed.data() + packed.size())};
    if (u.p == u.end) return false;
    out.assign(prefix);
    for (bool first = true; u.p != u.end; first = false) {
        if (!first) out.push_back(',');
        if (!u.landmark(out)) return false;
    }
    out.append(suffix);
    return true;
}

}  // namespace belay::engine
