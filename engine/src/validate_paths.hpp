#pragma once
// The live validator's two paths (validate.hpp's message_validator runs them
// in this order), apart so that tests and the fuzzer can compare them.

#include <string_view>
#include <variant>

#include "belay/engine/validate.hpp"

namespace belay::engine {

// The common message on its own, without a DOM: a pose_update of plain
// landmarks, as rigs send thirty times a second. True when `text` is one,
// with `out` exactly what the full path gives for it; false when it is
// anything else (an error included): the full path decides then. The size
// limit is checked before, by the caller.
bool validate_plain_pose(std::string_view text, const validation_limits& limits,
                         validated_message& out);

// The full path alone: every message type, every error (size limit included).
std::variant<validated_message, validation_error> validate_with_dom(
    std::string_view text, const validation_limits& limits);

}  // namespace belay::engine
