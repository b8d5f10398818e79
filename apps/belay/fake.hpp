#pragma once

#include <set>
#include <string>
#include <vector>

#include "args.hpp"
#include "belay/client/endpoint.hpp"

namespace belay::cli {

// `belay fake …`: plays climbing walls into belayd. Returns the exit code.
// Throws usage_error for a mistaken call and std::runtime_error for a failure.
int run_fake(const std::vector<std::string>& argv);

// The server a command talks to: --url (default http://127.0.0.1:8000) and
// --token, else DATA_DIR/admin.token from --data-dir, else $BELAY_TOKEN.
// Shared by fake and watch.
struct server_access {
    client::endpoint endpoint;
    std::string token;
};
inline const std::set<std::string> server_options = {"url", "token", "data-dir"};
server_access server_from_args(const args& a);

}  // namespace belay::cli
