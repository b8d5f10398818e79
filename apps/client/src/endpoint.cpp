#include "belay/client/endpoint.hpp"

#include <charconv>
#include <fstream>

#include <fmt/format.h>

namespace belay::client {
namespace {

std::optional<endpoint> refuse(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return std::nullopt;
}

bool valid_port(std::string_view port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    return !port.empty() && ec == std::errc{} && end == port.data() + port.size() && value > 0 &&
           value <= 65535;
}

}  // namespace

std::string endpoint::host_header() const {
    const bool v6 = host.find(':') != std::string::npos;
    return fmt::format("{}{}{}:{}", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

std::string endpoint::to_string() const {
    return "http://" + host_header() + prefix;
}

std::optional<endpoint> parse_endpoint(std::string_view url, std::string* error) {
    const std::string original(url);
    if (url.starts_with("https://") || url.starts_with("wss://"))
        return refuse(error, "TLS (" + original + ") is not supported: use http://");
    if (url.starts_with("http://"))
        url.remove_prefix(7);
    else if (url.starts_with("ws://"))
        url.remove_prefix(5);
    else
        return refuse(error, "\"" + original + "\" is not an http:// URL");
    endpoint ep;
    auto slash = url.find('/');
    auto authority = url.substr(0, slash);
    if (slash != std::string_view::npos) {
        ep.prefix = std::string(url.substr(slash));
        while (!ep.prefix.empty() && ep.prefix.back() == '/')
            ep.prefix.pop_back();
    }
    std::string_view port = "80";
    if (authority.starts_with('[')) {
        auto close = authority.find(']');
        if (close == std::string_view::npos)
            return refuse(error, "bad IPv6 address in " + original);
        ep.host = std::string(authority.substr(1, close - 1));
        auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return refuse(error, "bad port in " + original);
            port = rest.substr(1);
        }
    } else {
        auto colon = authority.rfind(':');
        ep.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (ep.host.empty()) return refuse(error, "no host in " + original);
    if (!valid_port(port)) return refuse(error, "bad port in " + original);
    ep.port = std::string(port);
    return ep;
}

std::string percent_encode(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (unsigned char c : value) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~')
            out.push_back(static_cast<char>(c));
        else
            out += fmt::format("%{:02X}", c);
    }
    return out;
}

std::optional<std::string> read_admin_token(const std::string& data_dir) {
    std::ifstream file(data_dir + "/admin.token");
    std::string token;
    if (!file || !std::getline(file, token)) return std::nullopt;
    while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
        token.pop_back();
    if (token.empty()) return std::nullopt;
    return token;
}

std::string live_target(const endpoint& ep, std::string_view session_id, std::string_view token,
                        std::optional<std::uint64_t> after_seq) {
    auto target = fmt::format("{}/ws/session-live/{}/?token={}", ep.prefix,
                              percent_encode(session_id), percent_encode(token));
    if (after_seq) target += fmt::format("&after_seq={}", *after_seq);
    return target;
}

std::string replay_target(const endpoint& ep, std::string_view session_id, std::string_view token,
                          std::string_view speed, std::optional<std::uint64_t> from_seq) {
    auto target =
        fmt::format("{}/ws/session/{}/?token={}&speed={}", ep.prefix, percent_encode(session_id),
                    percent_encode(token), percent_encode(speed));
    if (from_seq) target += fmt::format("&from_seq={}", *from_seq);
    return target;
}

}  // namespace belay::client
