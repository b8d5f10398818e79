#pragma once
// Requests and responses as plain values: the REST layer never sees Beast.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace belay::transport {

struct request {
    std::string method;  // GET, POST, …
    std::string path;    // without the query, percent-decoding not applied
    std::vector<std::pair<std::string, std::string>> query;  // decoded
    std::string authorization;                               // the Authorization header, if any
    std::string content_type;
    std::string host;
    bool has_length = false;  // Content-Length or Transfer-Encoding was sent
    std::string body;

    std::optional<std::string> param(std::string_view name) const;
};

// A query value as a non-negative integer: nullopt if it is not one.
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

struct response {
    int status = 200;
    std::string body;  // JSON unless content_type says otherwise
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

using respond_fn = std::function<void(response)>;

// Splits a request target into path and decoded query parameters.
void parse_target(std::string_view target, request& out);

// {"detail": message} with `status`.
response detail(int status, std::string_view message);

}  // namespace belay::transport
