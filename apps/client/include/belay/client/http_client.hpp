#pragma once
// A blocking HTTP/1.1 client for belayd's REST API: JSON bodies, token auth,
// one kept-alive connection. Not thread-safe: one client per thread.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "belay/client/endpoint.hpp"

namespace belay::client {

struct http_response {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;

    // A header's value, empty when absent (`name` lower-case).
    std::string header(const std::string& name) const;
};

class http_client {
  public:
    // `token` goes out as "Authorization: Token …" (none when empty);
    // `timeout` bounds each request, connecting included.
    http_client(endpoint ep, std::string token,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Sends one request to `target` (a path under the endpoint's prefix,
    // with its query) and reads the whole response. An HTTP error status is
    // a response; a network failure or a timeout is an error code. A request
    // on a kept-alive connection the server has since closed is sent again
    // once on a new connection.
    [[nodiscard]] boost::system::result<http_response> request(std::string_view method,
                                                               std::string_view target,
                                                               std::string_view json_body = {});

    [[nodiscard]] boost::system::result<http_response> get(std::string_view target) {
        return request("GET", target);
    }
    [[nodiscard]] boost::system::result<http_response> post(std::string_view target,
                                                            std::string_view json_body) {
        return request("POST", target, json_body);
    }
    [[nodiscard]] boost::system::result<http_response> patch(std::string_view target,
                                                             std::string_view json_body) {
        return request("PATCH", target, json_body);
    }

    const endpoint& server() const { return ep_; }

  private:
    struct impl;
    endpoint ep_;
    std::unique_ptr<impl> impl_;
};

}  // namespace belay::client
