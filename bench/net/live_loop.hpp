#pragma once
// The live sockets of a run once upgraded (raw_ws::release): viewers and
// publishers driven by one epoll loop per client thread, with plain system
// calls. Asio's reactor read each socket speculatively before waiting, so
// every frame cost a failed recv besides the one that got it, and its
// coroutines, handlers and executors cost more than the frames' own
// handling: the client shares the machine with the server it measures.
//
// A read takes everything the socket holds (edge-triggered: a read shorter
// than the room offered means the socket is drained, and the next data
// brings a new event). Sends go straight to the kernel; what it does not
// take waits for the socket to be writable.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "clients.hpp"

namespace belay::bench::net {

class live_loop {
  public:
    explicit live_loop(unsigned threads);
    ~live_loop();  // stops, and closes every socket

    // Before start(): the connections, dealt to the threads in turn. Each
    // takes its viewer's or publisher's fd and unread bytes.
    void add(viewer& v);
    void add(publisher& p);

    void start();
    void stop();

  private:
    struct connection;
    void adopt(int& fd, const std::string& unread, viewer* v, publisher* p);
    class thread_loop;
    std::vector<std::unique_ptr<thread_loop>> loops_;
    std::vector<std::thread> threads_;
    std::size_t next_ = 0;
    std::atomic<bool> stopping_{false};
};

}  // namespace belay::bench::net
