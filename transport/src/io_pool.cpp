#include "io_pool.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace belay::transport {

io_pool::io_pool(unsigned threads) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i)
        contexts_.push_back(std::make_unique<context>());
}

io_pool::~io_pool() {
    stop();
    for (auto& c : contexts_)
        c->shutdown();
    contexts_.clear();
}

boost::asio::io_context& io_pool::next() {
    auto i = next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size();
    return *contexts_[i];
}

void io_pool::start() {
    for (auto& c : contexts_) {
        work_.emplace_back(boost::asio::make_work_guard(*c));
        threads_.emplace_back([&io = *c] { io.run(); });
    }
}

void io_pool::stop() {
    work_.clear();
    for (auto& c : contexts_)
        c->stop();
    for (auto& t : threads_) {
        if (t.get_id() == std::this_thread::get_id()) {
            // A context cannot be stopped and destroyed from its own thread;
            // the server stops the pool before its last owner lets go.
            std::fputs("belayd: io_pool stopped from one of its own threads\n", stderr);
            std::abort();
        }
        t.join();
    }
    threads_.clear();
}

}  // namespace belay::transport
