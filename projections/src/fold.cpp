#include <utility>

#include "belay/projections/views.hpp"

namespace belay::projections {
namespace {

using engine::event_type;

template <class T>
void take(std::optional<T>& from, T& to) {
    if (from) to = std::move(*from);
}

bool apply_session_fields(session_view& v, const engine::event& e) {
    engine::session_fields f;
    if (!engine::parse_payload(e.payload, f)) return false;
    take(f.user, v.user);
    if (f.route) v.route = *f.route;
    take(f.start_time, v.start_time);
    if (f.end_time) v.end_time = *f.end_time;
    take(f.status, v.status);
    take(f.climb_data, v.climb_data);
    return true;
}

}  // namespace

bool apply(session_view& v, const engine::event& e) {
    bool ok = true;
    switch (e.type) {
        case event_type::session_created:
            v.id = e.stream;
            v.created = e.recv_time_us;
            ok = apply_session_fields(v, e);
            break;
        case event_type::session_updated:
            ok = apply_session_fields(v, e);
            break;
        case event_type::climb_updated: {
            auto climb = engine::climb_of(e.payload);
            if (climb.empty()) return false;
            v.climb_data.assign(climb);
            break;
        }
        case event_type::pose_updated: {
            auto pose = engine::pose_of(e.payload);
            if (pose.empty()) return false;
            v.last_pose.assign(pose);
            ++v.pose_frames;
            break;
        }
        default:
            return false;
    }
    if (ok) {
        v.updated = e.recv_time_us;
        v.last_seq = e.seq.value;
        ++v.event_count;
    }
    return ok;
}

bool apply(recording_view& v, const engine::event& e) {
    engine::recording_fields f;
    if (e.type != event_type::recording_created && e.type != event_type::recording_updated)
        return false;
    if (!engine::parse_payload(e.payload, f)) return false;
    if (e.type == event_type::recording_created) {
        v.id = e.stream;
        v.user = e.author;
        v.created = e.recv_time_us;
    }
    take(f.name, v.name);
    take(f.description, v.description);
    take(f.session, v.session);
    take(f.duration, v.duration);
    take(f.frame_count, v.frame_count);
    take(f.video_file_path, v.video_file_path);
    take(f.status, v.status);
    return true;
}

bool apply(route_view& v, const engine::event& e) {
    engine::route_fields f;
    if (e.type != event_type::route_created && e.type != event_type::route_updated) return false;
    if (!engine::parse_payload(e.payload, f)) return false;
    if (e.type == event_type::route_created) {
        v.id = e.stream;
        v.created = e.recv_time_us;
    }
    take(f.name, v.name);
    take(f.grade, v.grade);
    take(f.holds, v.holds);
    return true;
}

bool apply(user_view& v, const engine::event& e) {
    engine::user_fields f;
    if (e.type != event_type::user_created && e.type != event_type::user_updated) return false;
    if (!engine::parse_payload(e.payload, f)) return false;
    if (e.type == event_type::user_created) {
        v.id = e.stream;
        v.created = e.recv_time_us;
    }
    take(f.username, v.username);
    take(f.token_sha256, v.token_sha256);
    take(f.is_admin, v.is_admin);
    return true;
}

}  // namespace belay::projections
