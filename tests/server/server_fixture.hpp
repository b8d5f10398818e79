#pragma once
// A running belayd with a fresh data directory and clients for it.

#include <catch2/catch_test_macros.hpp>

#include <string>

#include "belayd_process.hpp"
#include "http_client.hpp"
#include "temp_dir.hpp"

namespace belay::test {

// The string value of the first "key":"…" in a JSON body.
inline std::string string_field(const std::string& body, const std::string& key) {
    auto at = body.find("\"" + key + "\":\"");
    REQUIRE(at != std::string::npos);
    auto start = at + key.size() + 4;
    return body.substr(start, body.find('"', start) - start);
}

// The first "id":"<uuid>" in a JSON body.
inline std::string id_of(const std::string& body) {
    auto id = string_field(body, "id");
    REQUIRE(id.size() == 36);
    return id;
}

inline bool has(const std::string& body, const std::string& part) {
    return body.find(part) != std::string::npos;
}

struct server_fixture {
    temp_dir dir;
    belayd_process server{dir.str()};
    std::string admin = server.admin_token();
    http_client http{"127.0.0.1", server.port()};

    // Creates a user and returns its token.
    std::string make_user(const std::string& name, bool is_admin = false) {
        auto r = http.post(
            "/api/users/",
            R"({"username":")" + name + R"(","is_admin":)" + (is_admin ? "true" : "false") + "}",
            admin);
        REQUIRE(r.status == 201);
        auto token = string_field(r.body, "token");
        REQUIRE(token.size() == 64);
        return token;
    }

    // Creates a session as `token` and returns its id.
    std::string make_session(const std::string& token, const std::string& body = "{}") {
        auto r = http.post("/api/sessions/", body, token);
        INFO(r.body);
        REQUIRE(r.status == 201);
        return id_of(r.body);
    }
};

}  // namespace belay::test
