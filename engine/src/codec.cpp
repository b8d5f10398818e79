#include "belay/engine/codec.hpp"

#include <cstring>

#include "belay/engine/bytes.hpp"
#include "layout.hpp"
#include "packed_pose.hpp"

namespace belay::engine {
namespace {

// The first byte: how the payload is stored.
constexpr std::uint8_t payload_json = 1;
constexpr std::uint8_t payload_packed_pose = 2;  // packed_pose.hpp

void encode_parts(std::string& out, log_position position, seq s, session_id stream,
                  event_type type, std::int64_t recv_time_us, std::string_view author,
                  std::string_view client_id, std::string_view payload,
                  std::string_view packed_pose = {}) {
    std::size_t start = out.size();
    out.resize(start + codec_header_size);
    char* p = out.data() + start;
    p[0] = static_cast<char>(payload_json);
    p[1] = static_cast<char>(type);
    layout::put_be64(p + codec_position_offset, position.value);
    layout::put_be64(p + codec_seq_offset, s.value);
    layout::put_be64(p + 18, static_cast<std::uint64_t>(recv_time_us));
    std::memcpy(p + 26, stream.bytes().data(), 16);
    put_bytes(out, author);
    put_bytes(out, client_id);
    if (type != event_type::pose_updated) {
        out.append(payload);
    } else if (!packed_pose.empty()) {
        out.append(packed_pose);
        out[start] = static_cast<char>(payload_packed_pose);
    } else if (pack_pose(payload, out)) {
        out[start] = static_cast<char>(payload_packed_pose);
    } else {
        out.append(payload);
    }
}

// Room for the varints, and for pack_pose's slack past the payload's size.
std::size_t encoded_size(std::string_view author, std::string_view client_id,
                         std::string_view payload) {
    return codec_header_size + 20 + 32 + author.size() + client_id.size() + payload.size();
}

}  // namespace

void encode_event(const event& e, std::string& out) {
    encode_parts(out, e.position, e.seq, e.stream, e.type, e.recv_time_us, e.author, e.client_id,
                 e.payload);
}

std::string encode_event(const event& e) {
    std::string out;
    out.reserve(encoded_size(e.author, e.client_id, e.payload));
    encode_event(e, out);
    return out;
}

std::string encode_unstamped(session_id stream, event_type type, std::int64_t recv_time_us,
                             std::string_view author, std::string_view client_id,
                             std::string_view payload, std::string_view packed_pose) {
    std::string out;
    out.reserve(encoded_size(author, client_id, packed_pose.empty() ? payload : packed_pose));
    encode_parts(out, {}, {}, stream, type, recv_time_us, author, client_id, payload, packed_pose);
    return out;
}

void stamp_event(std::string& record, log_position position, seq s) {
    layout::put_be64(record.data() + codec_position_offset, position.value);
    layout::put_be64(record.data() + codec_seq_offset, s.value);
}

boost::system::error_code decode_event(std::string_view bytes, event& out) {
    if (bytes.size() < codec_header_size) return errc::corruption;
    const char* p = bytes.data();
    const auto stored = static_cast<std::uint8_t>(p[0]);
    if (stored != payload_json && stored != payload_packed_pose) return errc::corruption;
    auto raw_type = static_cast<std::uint8_t>(p[1]);
    if (!is_known(raw_type)) return errc::corruption;
    out.type = static_cast<event_type>(raw_type);
    out.position = log_position{layout::get_be64(p + codec_position_offset)};
    out.seq = seq{layout::get_be64(p + codec_seq_offset)};
    out.recv_time_us = static_cast<std::int64_t>(layout::get_be64(p + 18));
    session_id::bytes_type id;
    std::memcpy(id.data(), p + 26, 16);
    out.stream = session_id{id};
    std::string_view rest = bytes.substr(codec_header_size);
    if (!get_bytes(rest, out.author) || !get_bytes(rest, out.client_id)) return errc::corruption;
    if (stored == payload_json)
        out.payload.assign(rest.data(), rest.size());
    else if (out.type != event_type::pose_updated || !unpack_pose(rest, out.payload))
        return errc::corruption;
    return {};
}

result<event> decode_event(std::string_view bytes) {
    event e;
    if (auto ec = decode_event(bytes, e)) return ec;
    return e;
}

}  // namespace belay::engine
