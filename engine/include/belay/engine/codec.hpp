#pragma once
// The binary encoding of an event as stored in the log.
//
// Layout (big-endian integers):
//   u8  payload form    u8  type
//   u64 position        u64 seq
//   i64 recv_time_us    16  stream uuid
//   varint author length,    author bytes
//   varint client id length, client id bytes
//   payload bytes (the rest): compact JSON (form 1), or a pose_updated's
//   pose packed (form 2, src/packed_pose.hpp), which decodes to the same
//   JSON text. Encoding packs every pose it can; decoding gives back the
//   text either way.
//
// position and seq sit at fixed offsets so that the group-commit writer can
// stamp them into an already encoded record.

#include <cstddef>
#include <string>
#include <string_view>

#include "belay/engine/errc.hpp"
#include "belay/engine/event.hpp"

namespace belay::engine {

inline constexpr std::size_t codec_position_offset = 2;
inline constexpr std::size_t codec_seq_offset = 10;
inline constexpr std::size_t codec_header_size = 42;

// Appends the encoding of `e` to `out`.
void encode_event(const event& e, std::string& out);
std::string encode_event(const event& e);

// Encodes an event that has no position and seq yet (both zero), straight
// from its parts: what appenders do before the writer stamps it. A pose
// packed on the way by the validator (validated_message::packed_pose) is
// taken as it is; REQUIRES: it is what packing `payload` would give.
std::string encode_unstamped(session_id stream, event_type type, std::int64_t recv_time_us,
                             std::string_view author, std::string_view client_id,
                             std::string_view payload, std::string_view packed_pose = {});

// Overwrites position and seq in an encoded record.
// REQUIRES: record.size() >= codec_header_size.
void stamp_event(std::string& record, log_position position, seq s);

// Decodes into `out`, reusing its strings' capacity. errc::corruption if the
// bytes are not a well-formed record.
[[nodiscard]] boost::system::error_code decode_event(std::string_view bytes, event& out);
[[nodiscard]] result<event> decode_event(std::string_view bytes);

}  // namespace belay::engine
