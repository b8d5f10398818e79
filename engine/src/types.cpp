#include "belay/engine/types.hpp"

#include <random>

namespace belay::engine {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<session_id> session_id::parse(std::string_view text) {
    if (text.size() != 36) return std::nullopt;
    bytes_type bytes{};
    std::size_t out = 0;
    for (std::size_t i = 0; i < text.size();) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') return std::nullopt;
            ++i;
            continue;
        }
        int hi = hex_value(text[i]);
        int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        bytes[out++] = static_cast<std::uint8_t>(hi * 16 + lo);
        i += 2;
    }
    return session_id{bytes};
}

session_id session_id::generate() {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    bytes_type bytes{};
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
        std::uint64_t r = rng();
        for (std::size_t j = 0; j < 8; ++j)
            bytes[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
    }
    bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
    bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
    return session_id{bytes};
}

std::string session_id::to_string() const {
    std::string out;
    append_to(out);
    return out;
}

void session_id::append_to(std::string& out) const {
    static constexpr char digits[] = "0123456789abcdef";
    char text[36];
    std::size_t n = 0;
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text[n++] = '-';
        text[n++] = digits[bytes_[i] >> 4];
        text[n++] = digits[bytes_[i] & 0x0F];
    }
    out.append(text, n);
}

std::optional<durability> parse_durability(std::string_view text) {
    if (text == "sync") return durability::sync;
    if (text == "buffered") return durability::buffered;
    return std::nullopt;
}

std::string_view to_string(durability d) {
    return d == durability::sync ? "sync" : "buffered";
}

}  // namespace belay::engine
