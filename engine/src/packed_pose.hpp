#pragma once
// A pose payload in a third of its bytes, printed back to the same text
// (codec.cpp stores poses this way). A pose is mostly keys, quotes and
// short decimal numbers; the WAL, the memtables and their flushes carry
// every byte of it, so its size is much of what an append costs.
//
// It packs the compact text the validators produce,
//
//   {"pose":[{"x":0.512,"y":0.401,"z":-0.02,"visibility":0.9},…]}
//
// landmark by landmark: a shape byte (how many of the keys x, y, z and
// visibility, in which order, each at most once), then each number as a
// header byte (sign; integer part 0 or a varint to follow; the count of
// fraction digits, 0 to 19) and the fraction's value in as many bytes as
// that count needs (".25" one, ".512" two, ".5123456" three), its leading
// zeros restored from the count. Numbers without an exponent, integer and
// fraction parts of at most 19 digits: anything else is not packed, and the
// payload stays JSON. The packed form has one spelling per text, so unpack
// then pack gives back the same bytes, and unpack refuses every other one.

#include <string>
#include <string_view>

namespace belay::engine {

// Appends the packed form of `json` to `out` and returns true; or returns
// false, with `out` as it was, if `json` is not a pose this form spells.
[[nodiscard]] bool pack_pose(std::string_view json, std::string& out);

// Replaces `out` with the text `packed` was packed from; false if `packed`
// is not something pack_pose writes (`out` is then unspecified).
[[nodiscard]] bool unpack_pose(std::string_view packed, std::string& out);

}  // namespace belay::engine
