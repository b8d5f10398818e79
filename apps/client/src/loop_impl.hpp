#pragma once
// What event_loop hides: the io_context (private to the library).

#include <boost/asio/io_context.hpp>

#include "belay/client/event_loop.hpp"

namespace belay::client {

struct event_loop::impl {
    boost::asio::io_context ioc{1};  // one thread: no locking inside Asio
};

}  // namespace belay::client
