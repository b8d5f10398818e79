#pragma once
// Engine error codes. Every fallible engine call returns
// boost::system::result<T> whose error is one of these (or a generic code).

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace belay::engine {

enum class errc {
    ok = 0,
    io_error = 1,      // RocksDB reported an I/O error
    corruption,        // stored data does not decode
    not_found,         // no such event / stream
    read_only,         // the log was opened read-only (secondary instance)
    log_failed,        // an earlier write failed: the log refuses writes until reopened
    closed,            // the log is shutting down
    invalid_argument,  // a request the log cannot accept (bad stream, bad seq)
    busy,              // the data directory is locked by another process
    stream_purged,     // the stream was purged: it takes no more events
    old_format,        // a format 1 log opened read-only: a writable open converts it
    new_format,        // the log is in a format a later build wrote
};

const boost::system::error_category& engine_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), engine_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace belay::engine

template <>
struct boost::system::is_error_code_enum<belay::engine::errc> : std::true_type {};
