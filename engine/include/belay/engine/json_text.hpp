#pragma once
// Writing JSON text by hand, fast: the few helpers every JSON producer needs.

#include <string>
#include <string_view>

namespace belay::engine {

// Appends `text` as a quoted JSON string, escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view text);

}  // namespace belay::engine
