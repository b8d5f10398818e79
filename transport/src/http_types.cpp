#include "http_types.hpp"

#include <charconv>

#include "belay/engine/json_text.hpp"

namespace belay::transport {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 &&
                   hex_digit(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> request::param(std::string_view name) const {
    for (auto& [k, v] : query)
        if (k == name) return v;
    return std::nullopt;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return n;
}

void parse_target(std::string_view target, request& out) {
    auto q = target.find('?');
    out.path.assign(target.substr(0, q));
    out.query.clear();
    if (q == std::string_view::npos) return;
    auto rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        auto part = rest.substr(0, amp);
        auto eq = part.find('=');
        if (!part.empty())
            out.query.emplace_back(decode(part.substr(0, eq)), eq == std::string_view::npos
                                                                   ? std::string{}
                                                                   : decode(part.substr(eq + 1)));
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
}

response detail(int status, std::string_view message) {
    response r;
    r.status = status;
    r.body = "{\"detail\":";
    engine::append_json_string(r.body, message);
    r.body.push_back('}');
    return r;
}

}  // namespace belay::transport
