#pragma once
// Where a belayd serves, and the paths of its WebSocket endpoints.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace belay::client {

// A server base URL, http://HOST[:PORT][/PREFIX] (ws:// is accepted too).
struct endpoint {
    std::string host;    // a name or an address; IPv6 without the brackets
    std::string port;    // "80" when the URL names none
    std::string prefix;  // path prefix, no trailing slash; usually empty

    // The Host header value: host[:port], IPv6 in brackets.
    std::string host_header() const;
    // http://host:port/prefix, for messages.
    std::string to_string() const;
};

// Parses a base URL; nullopt (with `error` set when given) for anything else,
// https included (not supported).
std::optional<endpoint> parse_endpoint(std::string_view url, std::string* error = nullptr);

// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay).
std::string percent_encode(std::string_view value);

// The first line of DATA_DIR/admin.token, written by belayd at its first
// start; nullopt if the file cannot be read or is empty.
std::optional<std::string> read_admin_token(const std::string& data_dir);

// The target (path and query) of the live socket of `session_id`:
// /ws/session-live/{id}/?token=…[&after_seq=N].
std::string live_target(const endpoint& ep, std::string_view session_id, std::string_view token,
                        std::optional<std::uint64_t> after_seq = std::nullopt);

// The target of the replay socket: /ws/session/{id}/?token=…&speed=X[&from_seq=N].
std::string replay_target(const endpoint& ep, std::string_view session_id, std::string_view token,
                          std::string_view speed,
                          std::optional<std::uint64_t> from_seq = std::nullopt);

}  // namespace belay::client
