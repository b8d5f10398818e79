#pragma once
// Payloads shaped like a rig's: climb updates with holds, pose frames of
// landmarks.

#include <cstdint>
#include <string>

namespace belay::bench {

// A climb_updated (climb) or pose_updated payload of about `bytes` bytes;
// `i` varies the numbers.
std::string sample_payload(bool climb, std::size_t bytes, std::uint64_t i);

}  // namespace belay::bench
