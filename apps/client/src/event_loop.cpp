#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "loop_impl.hpp"

namespace belay::client {

namespace asio = boost::asio;

event_loop::event_loop() : impl_(std::make_unique<impl>()) {}
event_loop::~event_loop() = default;

void event_loop::run() {
    auto& ioc = impl_->ioc;
    if (ioc.stopped()) ioc.restart();
    ioc.run();
}

bool event_loop::run_until(const std::function<bool()>& done, clock_type::time_point deadline) {
    auto& ioc = impl_->ioc;
    while (!done()) {
        if (clock_type::now() >= deadline) return false;
        if (ioc.stopped()) ioc.restart();
        if (ioc.run_one_until(deadline) == 0 && ioc.stopped())
            return done();  // nothing to wait for
    }
    return true;
}

void event_loop::stop() {
    impl_->ioc.stop();
}

void event_loop::post(std::function<void()> f) {
    asio::post(impl_->ioc, std::move(f));
}

// A handler from an earlier wait still queued after a cancel must not run:
// each wait has a generation, and only the current one calls its function.
struct timer::state {
    explicit state(asio::io_context& ioc) : timer(ioc) {}
    asio::steady_timer timer;
    std::uint64_t generation = 0;
};

timer::timer(event_loop& loop) : state_(std::make_shared<state>(loop.internals().ioc)) {}

timer::~timer() {
    cancel();
}

void timer::wait_until(clock_type::time_point when, std::function<void()> f) {
    auto generation = ++state_->generation;
    state_->timer.expires_at(when);  // cancels a pending wait
    state_->timer.async_wait(
        [s = state_, generation, f = std::move(f)](boost::system::error_code ec) {
            if (!ec && s->generation == generation) f();
        });
}

void timer::cancel() {
    ++state_->generation;
    state_->timer.cancel();
}

}  // namespace belay::client
