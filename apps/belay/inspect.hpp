#pragma once

#include <string>
#include <vector>

namespace belay::cli {

// `belay inspect …`: returns the process exit code. Throws usage_error for a
// mistaken call and std::runtime_error for a failure.
int run_inspect(const std::vector<std::string>& argv);

}  // namespace belay::cli
