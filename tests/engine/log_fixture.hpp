#pragma once
// Helpers shared by the event log tests.

#include <catch2/catch_test_macros.hpp>

#include "result_printing.hpp"

#include <string>
#include <vector>

#include "belay/engine/event_log.hpp"
#include "temp_dir.hpp"

namespace belay::test {

inline engine::append_request pose_request(engine::session_id stream, std::string client_id = {}) {
    engine::append_request r;
    r.stream = stream;
    r.type = engine::event_type::pose_updated;
    r.author = "alice";
    r.client_id = std::move(client_id);
    r.payload = R"({"pose":[{"x":0.5,"y":0.25}]})";
    return r;
}

inline std::unique_ptr<engine::event_log> open_log(
    const temp_dir& dir, engine::durability d = engine::durability::buffered) {
    engine::log_options o;
    o.data_dir = dir.str();
    o.durability = d;
    auto log = engine::event_log::open(o);
    REQUIRE(log);
    return std::move(*log);
}

inline std::vector<engine::event> drain(engine::log_cursor cursor) {
    std::vector<engine::event> out;
    engine::event e;
    for (;;) {
        auto r = cursor.next(e);
        REQUIRE(r);
        if (!*r) return out;
        out.push_back(e);
    }
}

}  // namespace belay::test
