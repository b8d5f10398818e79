#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace belay::test {

std::string http_response::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
}

http_client::http_client(std::string host, unsigned short port)
    : host_(std::move(host)), port_(port) {}

http_client::~http_client() {
    if (fd_ >= 0) ::close(fd_);
}

void http_client::connect() {
    if (fd_ >= 0) ::close(fd_);
    buffer_.clear();
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    ::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("cannot connect to " + host_ + ":" + std::to_string(port_));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

http_response http_client::request(const std::string& method, const std::string& target,
                                   const std::string& body, const std::string& token,
                                   const std::string& content_type) {
    std::string msg = method + " " + target + " HTTP/1.1\r\nHost: " + host_ + ":" +
                      std::to_string(port_) + "\r\n";
    if (!token.empty()) msg += "Authorization: Token " + token + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        if (!content_type.empty()) msg += "Content-Type: " + content_type + "\r\n";
        msg += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    msg += "\r\n" + body;
    skip_body_ = method == "HEAD";
    auto r = raw(msg);
    skip_body_ = false;
    return r;
}

http_response http_client::raw(const std::string& bytes) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (fd_ < 0) connect();
        if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(bytes.size())) {
            try {
                return read_response();
            } catch (const std::runtime_error&) {
                if (attempt == 1 || !buffer_.empty()) throw;
            }
        }
        ::close(fd_);  // the server closed an idle keep-alive connection: retry once
        fd_ = -1;
    }
    throw std::runtime_error("request failed");
}

http_response http_client::read_response() {
    auto fill = [&] {
        char buf[65536];
        auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) throw std::runtime_error("connection closed");
        buffer_.append(buf, static_cast<std::size_t>(n));
    };
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
        fill();
    http_response r;
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    r.status = std::stoi(head.substr(9, 3));
    for (std::size_t pos = head.find("\r\n"); pos != std::string::npos;) {
        auto next = head.find("\r\n", pos + 2);
        auto line =
            head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
        auto colon = line.find(':');
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        r.headers[name] = value;
        pos = next;
    }
    auto length = r.header("content-length");
    std::size_t n = length.empty() || skip_body_ ? 0 : std::stoul(length);
    while (buffer_.size() < n)
        fill();
    r.body = buffer_.substr(0, n);
    buffer_.erase(0, n);
    if (r.header("connection") == "close") {
        ::close(fd_);
        fd_ = -1;
    }
    return r;
}

}  // namespace belay::test
