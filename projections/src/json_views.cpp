#include "belay/projections/json_views.hpp"

#include <fmt/format.h>

#include "belay/engine/json_text.hpp"

namespace belay::projections {
namespace {

using engine::append_json_string;

// Starts a member: a comma unless it is the object's first.
void key(std::string& out, const char* name) {
    if (out.back() != '{') out.push_back(',');
    out.push_back('"');
    out.append(name);
    out.append("\":");
}

void id_value(std::string& out, const entity_id& id) {
    out.push_back('"');
    out.append(id.to_string());
    out.push_back('"');
}

void time_value(std::string& out, std::int64_t us) {
    out.push_back('"');
    out.append(engine::format_time_us(us));
    out.push_back('"');
}

}  // namespace

void append_json(std::string& out, const session_view& v) {
    out.push_back('{');
    key(out, "id");
    id_value(out, v.id);
    key(out, "user");
    append_json_string(out, v.user);
    key(out, "route");
    if (v.route)
        id_value(out, *v.route);
    else
        out.append("null");
    key(out, "start_time");
    time_value(out, v.start_time);
    key(out, "end_time");
    if (v.end_time)
        time_value(out, *v.end_time);
    else
        out.append("null");
    key(out, "status");
    append_json_string(out, v.status);
    key(out, "climb_data");
    out.append(v.climb_data);
    key(out, "created");
    time_value(out, v.created);
    key(out, "updated");
    time_value(out, v.updated);
    out.append(fmt::format(",\"last_seq\":{},\"event_count\":{},\"pose_frames\":{}}}", v.last_seq,
                           v.event_count, v.pose_frames));
}

void append_json(std::string& out, const recording_view& v) {
    out.push_back('{');
    key(out, "id");
    id_value(out, v.id);
    key(out, "name");
    append_json_string(out, v.name);
    key(out, "description");
    append_json_string(out, v.description);
    key(out, "session");
    id_value(out, v.session);
    key(out, "user");
    append_json_string(out, v.user);
    out.append(fmt::format(",\"duration\":{},\"frame_count\":{}", v.duration, v.frame_count));
    key(out, "video_file_path");
    append_json_string(out, v.video_file_path);
    key(out, "status");
    append_json_string(out, v.status);
    key(out, "created");
    time_value(out, v.created);
    out.push_back('}');
}

void append_json(std::string& out, const route_view& v) {
    out.push_back('{');
    key(out, "id");
    id_value(out, v.id);
    key(out, "name");
    append_json_string(out, v.name);
    key(out, "grade");
    append_json_string(out, v.grade);
    key(out, "holds");
    out.append(v.holds);
    out.push_back('}');
}

void append_json(std::string& out, const user_view& v) {
    out.append("{\"username\":");
    append_json_string(out, v.username);
    out.append(v.is_admin ? ",\"is_admin\":true}" : ",\"is_admin\":false}");
}

}  // namespace belay::projections
