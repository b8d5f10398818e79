#pragma once
// How the log is laid out in RocksDB (private to engine; tests read it to
// corrupt a log on purpose).
//
//   events      stream(16) ‖ be64(seq)        → encoded event (codec.hpp)
//   global      be64(position)                → stream(16) ‖ be64(seq)
//   client_ids  stream(16) ‖ client id bytes  → be64(seq) ‖ be64(position)
//   meta        "format"                      → "1"
//
// One WriteBatch per group commit writes all of them atomically.

#include <cstdint>
#include <string>
#include <string_view>

#include "belay/engine/types.hpp"

namespace belay::engine::layout {

inline constexpr const char* events_cf = "events";
inline constexpr const char* global_cf = "global";
inline constexpr const char* client_ids_cf = "client_ids";
inline constexpr const char* meta_cf = "meta";
inline constexpr std::size_t stream_key_size = 24;

void put_be64(char* p, std::uint64_t v);
std::uint64_t get_be64(const char* p);

std::string stream_key(session_id stream, seq s);
std::string position_key(log_position position);
std::string client_id_key(session_id stream, std::string_view client_id);
std::string client_id_value(seq s, log_position position);

// Parses a stream key; false if it is not 24 bytes.
bool parse_stream_key(std::string_view key, session_id& stream, seq& s);

}  // namespace belay::engine::layout
