#include "belay/engine/bytes.hpp"

namespace belay::engine {

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

void put_bytes(std::string& out, std::string_view bytes) {
    put_varint(out, bytes.size());
    out.append(bytes);
}

bool get_varint(std::string_view& in, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift <= 63 && !in.empty(); shift += 7) {
        auto byte = static_cast<std::uint8_t>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return true;
    }
    return false;
}

bool get_bytes(std::string_view& in, std::string& out) {
    std::uint64_t len = 0;
    if (!get_varint(in, len) || len > in.size()) return false;
    out.assign(in.data(), len);
    in.remove_prefix(len);
    return true;
}

}  // namespace belay::engine
