#pragma once
// The kinds of log_cursor (private).

#include <memory>

#include "log_impl.hpp"

namespace belay::engine {

struct log_cursor::impl {
    virtual ~impl() = default;
    virtual result<bool> next(event& out) = 0;
};

std::unique_ptr<log_cursor::impl> make_stream_cursor(std::shared_ptr<event_log::impl> log,
                                                     session_id stream, seq from);
std::unique_ptr<log_cursor::impl> make_log_cursor(std::shared_ptr<event_log::impl> log,
                                                  log_position after);
// A cursor that yields only `ec`.
std::unique_ptr<log_cursor::impl> make_failed_cursor(boost::system::error_code ec);

}  // namespace belay::engine
