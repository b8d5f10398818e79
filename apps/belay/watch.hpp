#pragma once

#include <string>
#include <vector>

namespace belay::cli {

// `belay watch …`: prints a session's live (or replayed) messages, one line
// each, checking that the events' seqs follow on. Returns the exit code.
// Throws usage_error for a mistaken call and std::runtime_error for a failure.
int run_watch(const std::vector<std::string>& argv);

}  // namespace belay::cli
