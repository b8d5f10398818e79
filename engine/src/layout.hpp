#pragma once
// How the log is laid out in RocksDB (private to engine; tests read it to
// corrupt a log on purpose).
//
//   events      stream(16) ‖ be64(seq)        → encoded event (codec.hpp)
//   global      be64(first position)          → stream key ‖ stream key ‖ …
//               (one entry per group commit: the stream keys of the events at
//               positions first, first+1, … in order)
//   client_ids  stream(16) ‖ client id bytes  → be64(seq) ‖ be64(position)
//   meta        "format"                      → "1"
//               "purged:" stream(16)          → be64(position of the purge)
//               "checkpoint:" name            → be64(position) ‖ bytes
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

// A global index entry: the positions [first, first + count) and their keys.
struct index_entry {
    std::uint64_t first = 0;
    std::string_view keys;  // count × stream_key_size bytes
    std::uint64_t count() const { return keys.size() / stream_key_size; }
    std::uint64_t last() const { return first + count() - 1; }
    std::string_view key(std::uint64_t i) const {
        return keys.substr(i * stream_key_size, stream_key_size);
    }
};

// Parses an index entry; false if it is malformed (bad key, empty value, or a
// value that is not a whole number of stream keys).
bool parse_index_entry(std::string_view key, std::string_view value, index_entry& out);

std::string purged_key(session_id stream);
inline constexpr std::string_view purged_prefix = "purged:";
std::string checkpoint_key(std::string_view name);
// The smallest key greater than every key starting with `prefix`.
std::string prefix_end(std::string prefix);

// Parses a stream key; false if it is not 24 bytes.
bool parse_stream_key(std::string_view key, session_id& stream, seq& s);

}  // namespace belay::engine::layout
