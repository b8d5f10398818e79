#include "belay/transport/server.hpp"

#include <stdexcept>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "connection.hpp"

namespace belay::transport {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

asio::awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor,
                                  std::shared_ptr<shared_state> state) {
    for (;;) {
        auto [ec, socket] = co_await acceptor->async_accept(state->io->next().get_executor(),
                                                            asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
        if (ec) {  // e.g. out of file descriptors: keep serving the rest, retry shortly
            asio::steady_timer pause(co_await asio::this_coro::executor);
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        if (static_cast<std::size_t>(state->stats.open_connections()) >=
            state->options.max_connections) {
            boost::system::error_code ignored;
            socket.close(ignored);  // over the cap: refused at once
            continue;
        }
        socket.set_option(tcp::no_delay(true));
        state->stats.connection_opened();
        auto ex = socket.get_executor();
        asio::co_spawn(ex, serve_http(std::move(socket), state), asio::detached);
    }
}

}  // namespace

struct server::impl {
    impl(server_options o, engine::event_log& l, projections::state_store& s)
        : options(std::move(o)), log(l), store(s) {}

    server_options options;
    engine::event_log& log;
    projections::state_store& store;
    std::shared_ptr<transport::metrics> stats = std::make_shared<transport::metrics>();
    std::shared_ptr<io_pool> io;
    std::unique_ptr<asio::thread_pool> blocking;
    std::shared_ptr<tcp::acceptor> acceptor;
    std::shared_ptr<shared_state> state;
    unsigned short port = 0;
    bool running = false;
};

server::server(server_options options, engine::event_log& log, projections::state_store& store)
    : impl_(std::make_unique<impl>(std::move(options), log, store)) {}

server::~server() {
    stop();
}

void server::start() {
    auto& m = *impl_;
    m.io = std::make_shared<io_pool>(m.options.threads);
    m.blocking = std::make_unique<asio::thread_pool>(2);
    auto* pool = m.blocking.get();
    rest_context ctx{m.log, m.store, *m.stats,
                     [pool](std::function<void()> job) { asio::post(*pool, std::move(job)); },
                     m.options.web_dir};
    m.state = std::make_shared<shared_state>(m.options, router(std::move(ctx)), *m.stats);
    m.state->io = m.io;
    m.state->hub = std::make_shared<live_hub>();
    // The hub's timer runs on the first context (and keeps them all alive).
    m.state->hub->batch_on(std::shared_ptr<asio::io_context>(m.io, &m.io->first()),
                           m.options.live_batch, m.options.live_batch_above);
    m.log.add_commit_listener(
        [stats = m.stats, hub = m.state->hub](const std::vector<engine::event>& events) {
            stats->events_committed(events.size());
            hub->on_commit(events);
        });

    boost::system::error_code ec;
    auto address = asio::ip::make_address(m.options.address, ec);
    if (ec) throw std::runtime_error(fmt::format("bad listen address \"{}\"", m.options.address));
    tcp::endpoint endpoint{address, m.options.port};
    m.acceptor = std::make_shared<tcp::acceptor>(m.io->first());
    if (m.acceptor->open(endpoint.protocol(), ec); !ec)
        m.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) m.acceptor->bind(endpoint, ec);
    if (!ec) m.acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error(fmt::format("cannot listen on {}:{}: {}", m.options.address,
                                             m.options.port, ec.message()));
    m.port = m.acceptor->local_endpoint().port();
    asio::co_spawn(m.io->first(), accept_loop(m.acceptor, m.state), asio::detached);
    m.io->start();
    m.running = true;
}

unsigned short server::port() const {
    return impl_->port;
}

void server::stop(std::chrono::milliseconds grace) {
    auto& m = *impl_;
    if (!m.running) return;
    m.running = false;
    m.state->stopping = true;
    asio::post(m.io->first(), [acceptor = m.acceptor] {
        boost::system::error_code ignored;
        acceptor->close(ignored);
    });
    // WebSockets close with 1001; each detaches once its close handshake is
    // done (a client that does not answer holds us at most a second).
    m.state->hub->stopping();
    auto now = std::chrono::steady_clock::now();
    auto deadline = now + grace;
    auto socket_deadline =
        now + std::min<std::chrono::milliseconds>(grace, std::chrono::seconds(1));
    while ((m.state->in_flight > 0 && std::chrono::steady_clock::now() < deadline) ||
           (m.state->hub->subscribers() > 0 && std::chrono::steady_clock::now() < socket_deadline))
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    m.io->stop();
    m.blocking->join();
    // Connections (suspended coroutines) hold the shared state, which held
    // the contexts: break the cycle so that destroying the contexts frees
    // them. Completions still pending in the log hold the context until they
    // run (they post to it, stopped, and let go).
    m.state->hub->close();
    m.acceptor.reset();  // its service lives in the context
    m.state->io.reset();
    m.io.reset();
}

}  // namespace belay::transport
