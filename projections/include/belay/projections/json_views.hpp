#pragma once
// The REST representations of PROTOCOL.md, written straight into a string.

#include <string>

#include "belay/projections/views.hpp"

namespace belay::projections {

// {"id","user","route","start_time","end_time","status","climb_data",
//  "created","updated","last_seq","event_count","pose_frames"}
void append_json(std::string& out, const session_view& v);
// {"id","name","description","session","user","duration","frame_count",
//  "video_file_path","status","created"}
void append_json(std::string& out, const recording_view& v);
// {"id","name","grade","holds"}
void append_json(std::string& out, const route_view& v);
// {"username","is_admin"} (never the token hash)
void append_json(std::string& out, const user_view& v);

template <class View>
std::string to_json(const View& v) {
    std::string out;
    append_json(out, v);
    return out;
}

}  // namespace belay::projections
