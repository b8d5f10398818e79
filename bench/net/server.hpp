#pragma once
// The server side of a network scenario: its REST API (blocking HTTP/1.1),
// a belayd started for the run, and /proc figures of a local server.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net.hpp"

namespace belay::bench::net {

struct http_reply {
    int status = 0;
    std::string body;
};

// One blocking request with the target's token (or `token`).
http_reply http_call(const target& t, const std::string& method, const std::string& path,
                     const std::string& body = {}, const std::string& token = {});

// A new session's id (as `token`'s user); throws on failure.
std::string create_session(const target& t, const std::string& token = {});
// Tokens to open `connections` sockets with: new users of at most
// `per_user` connections each when the token is an admin's, else the one.
std::vector<std::string> user_tokens(const target& t, std::size_t connections,
                                     std::size_t per_user = 400);

// A belayd on a free port and a temporary data directory, for one run.
class local_server {
  public:
    local_server(const std::string& binary, const std::string& durability);
    ~local_server();  // SIGTERM, wait, remove the directory
    local_server(const local_server&) = delete;
    local_server& operator=(const local_server&) = delete;
    const target& where() const { return target_; }

  private:
    target target_;
    std::string dir_;
};

struct process_figures {
    double cpu_seconds = 0;
    std::uint64_t rss_bytes = 0;
    std::uint64_t peak_rss_bytes = 0;  // VmHWM
};
// /proc/PID figures (zeros if unreadable).
process_figures read_process(int pid);

// The target a scenario runs against: --url/--token, or a started belayd.
struct session_server {
    std::unique_ptr<local_server> local;
    target where;
};
session_server open_server(const common_params& p);

}  // namespace belay::bench::net
