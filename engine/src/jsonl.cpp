#include "belay/engine/jsonl.hpp"

#include <simdjson.h>

#include <fmt/format.h>

#include "belay/engine/json_text.hpp"

namespace belay::engine {

void append_json_line(std::string& out, const event& e) {
    out.append(
        fmt::format("{{\"position\":{},\"stream\":\"{}\",\"seq\":{},\"type\":\"{}\","
                    "\"time\":\"{}\",\"recv_time_us\":{},\"author\":",
                    e.position.value, e.stream.to_string(), e.seq.value, to_string(e.type),
                    format_time_us(e.recv_time_us), e.recv_time_us));
    append_json_string(out, e.author);
    if (!e.client_id.empty()) {
        out.append(",\"client_id\":");
        append_json_string(out, e.client_id);
    }
    out.append(",\"payload\":");
    out.append(e.payload.empty() ? std::string_view{"{}"} : std::string_view{e.payload});
    out.push_back('}');
}

namespace {

using line_result = boost::system::result<event, std::string>;

template <class T>
bool field(simdjson::dom::object obj, const char* name, T& out) {
    return obj[name].get(out) == simdjson::SUCCESS;
}

}  // namespace

line_result parse_json_line(std::string_view line) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (auto err = parser.parse(line.data(), line.size()).get(doc))
        return fmt::format("not JSON: {}", simdjson::error_message(err));
    simdjson::dom::object obj;
    if (doc.get(obj)) return std::string("not a JSON object");
    event e;
    std::uint64_t position = 0, seq_value = 0;
    std::int64_t recv = 0;
    std::string_view stream, type, author, client_id;
    if (!field(obj, "position", position) || position == 0)
        return std::string("\"position\" must be a positive integer");
    if (!field(obj, "seq", seq_value) || seq_value == 0)
        return std::string("\"seq\" must be a positive integer");
    if (!field(obj, "stream", stream)) return std::string("\"stream\" must be a string");
    auto id = session_id::parse(stream);
    if (!id || id->is_nil()) return std::string("\"stream\" is not a UUID");
    if (!field(obj, "type", type)) return std::string("\"type\" must be a string");
    auto t = parse_event_type(type);
    if (!t) return fmt::format("unknown event type \"{}\"", type);
    if (!field(obj, "recv_time_us", recv))
        return std::string("\"recv_time_us\" must be an integer");
    if (!field(obj, "author", author)) return std::string("\"author\" must be a string");
    if (obj["client_id"].error() != simdjson::NO_SUCH_FIELD && !field(obj, "client_id", client_id))
        return std::string("\"client_id\" must be a string");
    simdjson::dom::object payload;
    if (!field(obj, "payload", payload)) return std::string("\"payload\" must be an object");
    e.position = log_position{position};
    e.seq = seq{seq_value};
    e.stream = *id;
    e.type = *t;
    e.recv_time_us = recv;
    e.author.assign(author);
    e.client_id.assign(client_id);
    e.payload = simdjson::minify(payload);
    return e;
}

}  // namespace belay::engine
