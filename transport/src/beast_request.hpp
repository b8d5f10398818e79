#pragma once
// A Beast request as the REST layer's plain `request` (http_types.hpp): the
// HTTP session's conversion, shared with the HTTP fuzzer so that it tests
// this very code. Private to transport (includes Beast's HTTP headers).

#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http_types.hpp"

namespace belay::transport {

inline request to_request(const boost::beast::http::request<boost::beast::http::string_body>& m) {
    namespace http = boost::beast::http;
    request r;
    r.method = std::string(m.method_string());
    parse_target(std::string_view(m.target().data(), m.target().size()), r);
    auto field = [&](http::field f) {
        auto it = m.find(f);
        return it == m.end() ? std::string{} : std::string(it->value());
    };
    r.authorization = field(http::field::authorization);
    r.content_type = field(http::field::content_type);
    r.host = field(http::field::host);
    r.has_length = m.find(http::field::content_length) != m.end() || m.chunked();
    r.body = m.body();
    return r;
}

}  // namespace belay::transport
