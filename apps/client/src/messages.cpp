// Server messages read with simdjson's DOM API (error codes only: no input
// throws). The parser is reused, so its buffers are too.

#include "belay/client/messages.hpp"

#include <simdjson.h>

namespace belay::client {

namespace dom = simdjson::dom;

struct message_reader::impl {
    dom::parser parser;
};

namespace {

std::uint64_t unsigned_field(dom::object o, std::string_view key) {
    std::uint64_t v = 0;
    return o[key].get(v) == simdjson::SUCCESS ? v : 0;
}

std::string string_field(dom::object o, std::string_view key) {
    std::string_view v;
    return o[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
}

std::optional<climb_progress> read_climb(dom::element value) {
    dom::object climb;
    if (value.get(climb) != simdjson::SUCCESS) return std::nullopt;
    climb_progress p;
    p.status = string_field(climb, "status");
    dom::array holds;
    if (climb["holds"].get(holds) == simdjson::SUCCESS) {
        for (dom::element hold : holds) {
            ++p.holds;
            std::string_view status;
            if (hold["status"].get(status) != simdjson::SUCCESS) continue;
            if (status == "completed") ++p.completed;
            if (status == "grabbed") ++p.grabbed;
        }
    } else if (p.status.empty()) {
        return std::nullopt;  // {}: no climb yet
    }
    return p;
}

// The status, end time and climb of a session object (or of an event's payload).
void read_session_fields(dom::object o, server_message& out) {
    out.status = string_field(o, "status");
    out.end_time = string_field(o, "end_time");
    dom::element climb;
    if (o["climb_data"].get(climb) == simdjson::SUCCESS) out.climb = read_climb(climb);
}

message_kind kind_of(std::string_view type, bool has_seq) {
    if (type == "ack") return message_kind::ack;
    if (type == "error") return message_kind::error;
    if (type == "session_state") return message_kind::session_state;
    if (type == "replay_info") return message_kind::replay_info;
    if (type == "replay_completed") return message_kind::replay_completed;
    return has_seq ? message_kind::event : message_kind::other;
}

}  // namespace

message_reader::message_reader() : impl_(std::make_unique<impl>()) {}
message_reader::~message_reader() = default;

bool message_reader::read(std::string_view text, server_message& out) {
    out = server_message{};
    dom::object o;
    if (impl_->parser.parse(text.data(), text.size()).get(o) != simdjson::SUCCESS) return false;
    std::string_view type;
    if (o["type"].get(type) != simdjson::SUCCESS) return false;
    out.type = std::string(type);
    const bool has_seq = o["seq"].get(out.seq) == simdjson::SUCCESS;
    out.kind = kind_of(type, has_seq);
    switch (out.kind) {
        case message_kind::ack:
            out.id = string_field(o, "id");
            break;
        case message_kind::error:
            out.code = string_field(o, "code");
            out.message = string_field(o, "message");
            break;
        case message_kind::session_state: {
            dom::object session;
            if (o["session"].get(session) == simdjson::SUCCESS) read_session_fields(session, out);
            break;
        }
        case message_kind::replay_info: {
            out.first_seq = unsigned_field(o, "first_seq");
            out.last_seq = unsigned_field(o, "last_seq");
            out.event_count = unsigned_field(o, "event_count");
            std::int64_t duration = 0;
            if (o["duration_ms"].get(duration) == simdjson::SUCCESS) out.duration_ms = duration;
            double speed = 0;
            if (o["speed"].get(speed) == simdjson::SUCCESS) out.speed = speed;
            bool paused = false;
            if (o["paused"].get(paused) == simdjson::SUCCESS) out.paused = paused;
            dom::object session;
            if (o["session"].get(session) == simdjson::SUCCESS) read_session_fields(session, out);
            break;
        }
        case message_kind::replay_completed:
            out.last_seq = unsigned_field(o, "last_seq");
            break;
        case message_kind::event: {
            out.ts = string_field(o, "ts");
            std::int64_t offset = 0;
            if (o["offset_ms"].get(offset) == simdjson::SUCCESS) out.offset_ms = offset;
            read_session_fields(o, out);  // session_created / session_updated members
            dom::element climb;
            if (o["climb"].get(climb) == simdjson::SUCCESS) out.climb = read_climb(climb);
            dom::array pose;
            if (o["pose"].get(pose) == simdjson::SUCCESS) out.landmarks = pose.size();
            break;
        }
        case message_kind::other:
            break;
    }
    return true;
}

}  // namespace belay::client
