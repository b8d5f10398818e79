#include "layout.hpp"

#include <charconv>
#include <cstring>

namespace belay::engine::layout {

std::string stream_key(session_id stream, seq s) {
    std::string key(stream_key_size, '\0');
    std::memcpy(key.data(), stream.bytes().data(), 16);
    put_be64(key.data() + 16, s.value);
    return key;
}

std::string position_key(log_position position) {
    std::string key(8, '\0');
    put_be64(key.data(), position.value);
    return key;
}

std::string client_id_key(session_id stream, std::string_view client_id) {
    std::string key(reinterpret_cast<const char*>(stream.bytes().data()), 16);
    key.append(client_id);
    return key;
}

std::string client_id_value(seq s, log_position position) {
    std::string value(16, '\0');
    put_be64(value.data(), s.value);
    put_be64(value.data() + 8, position.value);
    return value;
}

std::string purged_key(session_id stream) {
    std::string key(purged_prefix);
    key.append(reinterpret_cast<const char*>(stream.bytes().data()), 16);
    return key;
}

std::string checkpoint_key(std::string_view name) {
    std::string key("checkpoint:");
    key.append(name);
    return key;
}

std::string prefix_end(std::string prefix) {
    while (!prefix.empty()) {
        auto& last = reinterpret_cast<unsigned char&>(prefix.back());
        if (last != 0xFF) {
            ++last;
            return prefix;
        }
        prefix.pop_back();
    }
    return std::string(64, '\xFF');  // every byte was 0xFF: past any real key
}

bool parse_stream_key(std::string_view key, session_id& stream, seq& s) {
    if (key.size() != stream_key_size) return false;
    session_id::bytes_type bytes;
    std::memcpy(bytes.data(), key.data(), 16);
    stream = session_id{bytes};
    s = seq{get_be64(key.data() + 16)};
    return true;
}

bool parse_position(std::string_view bytes, log_position& out) {
    if (bytes.size() != 8) return false;
    out = log_position{get_be64(bytes.data())};
    return out.value > 0;
}

bool is_later_format(std::string_view mark) {
    unsigned value = 0, ours = 0;
    const std::string_view current = format;
    auto [end, ec] = std::from_chars(mark.data(), mark.data() + mark.size(), value);
    std::from_chars(current.data(), current.data() + current.size(), ours);
    return ec == std::errc{} && end == mark.data() + mark.size() && value > ours;
}

}  // namespace belay::engine::layout
