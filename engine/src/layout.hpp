#pragma once
// How the log is laid out in RocksDB (private to engine; tests read it to
// corrupt a log on purpose). Format 3:
//
//   log         be64(position)                → encoded event (codec.hpp)
//   streams     stream(16) ‖ be64(seq)        → be64(position)
//   client_ids  stream(16) ‖ client id bytes  → be64(seq) ‖ be64(position)
//   meta        "format"                      → "3"
//               "purged:" stream(16)          → be64(position of the purge)
//               "checkpoint:" name            → be64(position) ‖ bytes
//
// Events are keyed by position, so every memtable flushes to a table that
// follows the one before: compactions move tables down, they never merge
// and rewrite them. A stream is read through its index.
//
// Format 2 is the same but for its mark, and every event's payload in it is
// JSON: format 3's records may hold a packed pose (packed_pose.hpp), which
// a belayd of format 2 cannot read. The first writable open marks it 3.
//
// Format 1 (converted at the first writable open, migrate.cpp) keyed events
// by stream ‖ seq in `events`, with a position index in `global`:
//
//   events      stream(16) ‖ be64(seq)        → encoded event
//   global      be64(first position)          → stream key ‖ stream key ‖ …
//
// One WriteBatch per group commit writes all of them atomically.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "belay/engine/types.hpp"

namespace belay::engine::layout {

inline constexpr const char* log_cf = "log";
inline constexpr const char* streams_cf = "streams";
inline constexpr const char* client_ids_cf = "client_ids";
inline constexpr const char* meta_cf = "meta";
inline constexpr const char* format = "3";
inline constexpr const char* format_2 = "2";  // this layout, every payload JSON
// Whether a format mark is a number above `format`: a later build's log.
bool is_later_format(std::string_view mark);
// Format 1's column families: present only until the conversion is done.
inline constexpr const char* v1_events_cf = "events";
inline constexpr const char* v1_global_cf = "global";
inline constexpr std::size_t stream_key_size = 24;

// Big-endian 64-bit numbers, so keys sort as their numbers do. Inline: the
// cursors read one per event.
inline std::uint64_t to_big_endian(std::uint64_t v) {
    if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
    return v;
}
inline void put_be64(char* p, std::uint64_t v) {
    v = to_big_endian(v);
    std::memcpy(p, &v, 8);
}
inline std::uint64_t get_be64(const char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return to_big_endian(v);
}

std::string stream_key(session_id stream, seq s);
std::string position_key(log_position position);
std::string client_id_key(session_id stream, std::string_view client_id);
std::string client_id_value(seq s, log_position position);

std::string purged_key(session_id stream);
inline constexpr std::string_view purged_prefix = "purged:";
std::string checkpoint_key(std::string_view name);
// The smallest key greater than every key starting with `prefix`.
std::string prefix_end(std::string prefix);

// Parses a stream key; false if it is not 24 bytes.
bool parse_stream_key(std::string_view key, session_id& stream, seq& s);
// Parses a be64 position (a `log` key, a `streams` value); false unless it
// is 8 bytes and not 0.
bool parse_position(std::string_view bytes, log_position& out);

}  // namespace belay::engine::layout
