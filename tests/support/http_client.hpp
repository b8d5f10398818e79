#pragma once
// A small blocking HTTP/1.1 client over a plain TCP socket, for end-to-end
// tests: keep-alive, Content-Length and chunked responses.

#include <map>
#include <string>

namespace belay::test {

struct http_response {
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string header(const std::string& name) const;
};

class http_client {
  public:
    http_client(std::string host, unsigned short port);
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    // Sends one request (reconnecting if the server closed the connection)
    // and reads the whole response. `token` sets "Authorization: Token …".
    // Throws std::runtime_error on a transport failure.
    http_response request(const std::string& method, const std::string& target,
                          const std::string& body = {}, const std::string& token = {},
                          const std::string& content_type = "application/json");
    // Sends raw bytes and reads one response.
    http_response raw(const std::string& bytes);

    http_response get(const std::string& target, const std::string& token = {}) {
        return request("GET", target, {}, token);
    }
    http_response post(const std::string& target, const std::string& body,
                       const std::string& token = {}) {
        return request("POST", target, body, token);
    }

  private:
    void connect();
    http_response read_response();

    std::string host_;
    unsigned short port_;
    int fd_ = -1;
    std::string buffer_;
    bool skip_body_ = false;  // a HEAD response: headers only
};

}  // namespace belay::test
