#pragma once
// Events as JSON Lines, for export and import:
// {"position":1,"stream":"…","seq":1,"type":"pose_updated","time":"…Z",
//  "recv_time_us":…,"author":"alice","client_id":"c1","payload":{…}}
// ("client_id" only when present).

#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "belay/engine/event.hpp"

namespace belay::engine {

// Appends one line (without the newline).
void append_json_line(std::string& out, const event& e);

// Parses one line; the error names what is wrong.
boost::system::result<event, std::string> parse_json_line(std::string_view line);

}  // namespace belay::engine
