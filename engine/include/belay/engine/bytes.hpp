#pragma once
// Little binary building blocks: varints and length-prefixed strings, as the
// codec and the projection checkpoints write them.

#include <cstdint>
#include <string>
#include <string_view>

namespace belay::engine {

void put_varint(std::string& out, std::uint64_t v);
void put_bytes(std::string& out, std::string_view bytes);  // varint length, then the bytes

// Each consumes from the front of `in`; false (with `in` unspecified) if it
// is too short or malformed.
[[nodiscard]] bool get_varint(std::string_view& in, std::uint64_t& v);
[[nodiscard]] bool get_bytes(std::string_view& in, std::string& out);

}  // namespace belay::engine
