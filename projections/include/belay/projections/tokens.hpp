#pragma once
// API tokens: random, shown once, stored only as their SHA-256.

#include <string>
#include <string_view>

#include "belay/engine/payloads.hpp"

namespace belay::projections {

// 32 random bytes from the system's CSPRNG, as 64 hex digits. Throws
// std::runtime_error if no randomness is available.
std::string generate_token();

// Lower-case hex SHA-256 of `token`.
std::string token_hash(std::string_view token);

// The stream of the user named `username`: derived from the name (a UUID
// made of its SHA-256), so that creating the same user twice lands on the
// same stream and the log's idempotency refuses the second.
engine::entity_id user_stream(std::string_view username);

// Constant-time equality of two strings of equal length.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace belay::projections
