#pragma once
// The I/O threads: one io_context per thread, and each connection on one of
// them for its whole life. A connection's handlers then all run on one
// thread, in order, without a strand (whose queue, lock and reference counts
// were a tenth of the server's CPU under load). A busy connection cannot
// move to an idle thread; connections are dealt to the threads in turn.
// (Private to transport.)

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace belay::transport {

class io_pool {
  public:
    explicit io_pool(unsigned threads);
    // Shuts every context down before destroying any: a handler queued on
    // one context may own a socket of another.
    ~io_pool();
    io_pool(const io_pool&) = delete;
    io_pool& operator=(const io_pool&) = delete;

    // The context for a new connection: each in turn.
    boost::asio::io_context& next();
    // The first context: the acceptor's and the live hub's timer.
    boost::asio::io_context& first() { return *contexts_.front(); }

    void start();  // a thread per context, running until stop()
    // Stops every context and joins its thread; never from one of them.
    void stop();

  private:
    // An io_context whose shutdown (destroying the handlers it holds) the
    // pool can call on its own.
    class context : public boost::asio::io_context {
      public:
        context() : boost::asio::io_context(1) {}
        using boost::asio::io_context::shutdown;
    };
    using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

    std::vector<std::unique_ptr<context>> contexts_;
    std::vector<work_guard> work_;
    std::vector<std::thread> threads_;
    std::atomic<unsigned> next_{0};
};

}  // namespace belay::transport
