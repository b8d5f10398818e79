#include "live_loop.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <functional>
#include <queue>
#include <stdexcept>
#include <string>
#include <utility>

#include "raw_ws.hpp"

namespace belay::bench::net {

namespace {

constexpr std::size_t initial_room = 64 << 10;
constexpr std::int64_t max_wait_us = 20'000;  // stop() is seen within this
constexpr std::int64_t sweep_us = 50'000;     // publishers waiting for acks see their stop
constexpr int events_per_wait = 256;
// A publisher's send may be this late: one wake-up then sends every message
// due within it (a gym's rigs, each on its own phase, would otherwise wake
// the loop some 30,000 times a second). The send time is taken when the
// message goes, so latencies stay exact.
constexpr std::int64_t timer_slack_us = 1'000;

// epoll_pwait2 (Linux 5.11) waits to the microsecond; epoll_wait, its
// fallback, to the millisecond.
int wait_events(int epoll, epoll_event* events, int max, std::int64_t wait_us) {
    static std::atomic<bool> precise{true};
    if (precise.load(std::memory_order_relaxed)) {
        timespec timeout{static_cast<time_t>(wait_us / 1'000'000),
                         static_cast<long>(wait_us % 1'000'000) * 1000};
        int n = ::epoll_pwait2(epoll, events, max, &timeout, nullptr);
        if (n >= 0 || errno != ENOSYS) return n;
        precise = false;
    }
    return ::epoll_wait(epoll, events, max, static_cast<int>((wait_us + 999) / 1000));
}

}  // namespace

struct live_loop::connection {
    int fd = -1;
    viewer* v = nullptr;
    publisher* p = nullptr;
    std::vector<char> in;  // read, not yet handled: [begin, end)
    std::size_t begin = 0, end = 0;
    std::string out;  // framed, not yet taken by the kernel: from out_at
    std::size_t out_at = 0;
    std::string message;  // a publisher's next one
    std::uint64_t mask = new_mask_state();
    bool scheduled = false;  // a publisher in the timer queue
    bool closed = false;
};

class live_loop::thread_loop {
  public:
    explicit thread_loop(const std::atomic<bool>& stopping) : stopping_(stopping) {
        epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
        if (epoll_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + strerror(errno));
    }
    ~thread_loop() {
        for (auto& c : connections_)
            if (!c->closed) ::close(c->fd);
        ::close(epoll_);
    }

    void add(std::unique_ptr<connection> c) {
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
        ev.data.ptr = c.get();
        if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
            auto error = errno;
            ::close(c->fd);
            throw std::runtime_error(std::string("epoll_ctl: ") + strerror(error));
        }
        connections_.push_back(std::move(c));
    }

    void run() {
        for (auto& c : connections_) {
            if (c->end > c->begin) handle(*c, mono_us());  // read before the hand-over
            if (c->p && !c->closed && !c->scheduled) publish(*c);
        }
        std::vector<epoll_event> events(events_per_wait);
        std::int64_t last_sweep = mono_us();
        while (!stopping_.load(std::memory_order_relaxed)) {
            auto now = mono_us();
            while (!timers_.empty() && timers_.top().at <= now) {
                auto* c = timers_.top().c;
                timers_.pop();
                c->scheduled = false;
                if (!c->closed) publish(*c);
            }
            if (now - last_sweep >= sweep_us) {
                for (auto& c : connections_)
                    if (c->p && !c->closed && !c->scheduled) publish(*c);
                last_sweep = now;
            }
            auto until = now + max_wait_us;
            if (!timers_.empty()) until = std::min(until, timers_.top().at + timer_slack_us);
            auto wait = std::max<std::int64_t>(0, until - mono_us());
            int n = wait_events(epoll_, events.data(), events_per_wait, wait);
            for (int i = 0; i < n; ++i) {
                auto& c = *static_cast<connection*>(events[i].data.ptr);
                if (!c.closed && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                    on_readable(c);
                if (!c.closed && (events[i].events & EPOLLOUT)) flush(c);
            }
        }
    }

  private:
    struct timer {
        std::int64_t at;
        connection* c;
        bool operator>(const timer& o) const { return at > o.at; }
    };

    // Reads until the socket is drained, handling every whole frame.
    void on_readable(connection& c) {
        for (;;) {
            if (c.begin == c.end) {
                c.begin = c.end = 0;
            } else if (c.begin > 0 && c.in.size() - c.end < initial_room / 4) {
                std::memmove(c.in.data(), c.in.data() + c.begin, c.end - c.begin);
                c.end -= c.begin;
                c.begin = 0;
            }
            if (c.in.size() - c.end < initial_room / 4) c.in.resize(c.in.size() * 2);
            auto room = c.in.size() - c.end;
            auto n = ::recv(c.fd, c.in.data() + c.end, room, MSG_DONTWAIT);
            if (n > 0) {
                c.end += static_cast<std::size_t>(n);
                handle(c, mono_us());
                if (c.closed || static_cast<std::size_t>(n) < room) return;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            close(c);  // end of stream, or an error
            return;
        }
    }

    void handle(connection& c, std::int64_t now) {
        for (;;) {
            auto f = next_frame(std::string_view(c.in.data() + c.begin, c.end - c.begin));
            if (f.size == 0) break;
            c.begin += f.size;
            if (f.opcode == 0x1 || f.opcode == 0x2 || f.opcode == 0x0) {
                if (c.v)
                    c.v->on_message(f.payload, now);
                else
                    c.p->on_message(f.payload, now);
            } else if (f.opcode == 0x8) {
                close(c);
                return;
            } else if (f.opcode == 0x9) {
                append_frame(0xA, f.payload, c.mask, c.out);
                flush(c);
                if (c.closed) return;
            }
        }
        if (c.p && c.p->rate <= 0 && !c.scheduled) publish(c);  // acks open the window
    }

    // Sends what the publisher has due, in one send(2) as a client with
    // several messages ready would; schedules its next look.
    void publish(connection& c) {
        auto& p = *c.p;
        for (;;) {
            std::int64_t wake_at = 0;
            auto now = mono_us();
            if (!p.due(now, wake_at)) {
                if (wake_at != INT64_MAX) {
                    timers_.push({wake_at, &c});
                    c.scheduled = true;
                }
                break;
            }
            p.next_message(now, c.message);
            append_frame(0x1, c.message, c.mask, c.out);
        }
        flush(c);
    }

    void flush(connection& c) {
        while (c.out_at < c.out.size()) {
            auto n = ::send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at,
                            MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) {
                c.out_at += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // EPOLLOUT comes
            close(c);
            return;
        }
        c.out.clear();
        c.out_at = 0;
    }

    void close(connection& c) {
        ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.closed = true;
        if (c.p && !c.p->done) {
            c.p->error = "the server closed the connection";
            c.p->failed = true;
            c.p->done = true;
        }
    }

    const std::atomic<bool>& stopping_;
    int epoll_ = -1;
    std::vector<std::unique_ptr<connection>> connections_;
    std::priority_queue<timer, std::vector<timer>, std::greater<>> timers_;
};

live_loop::live_loop(unsigned threads) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i)
        loops_.push_back(std::make_unique<thread_loop>(stopping_));
}

live_loop::~live_loop() {
    stop();
}

void live_loop::add(viewer& v) {
    adopt(v.fd, v.unread, &v, nullptr);
}

void live_loop::add(publisher& p) {
    adopt(p.fd, p.unread, nullptr, &p);
}

void live_loop::adopt(int& fd, const std::string& unread, viewer* v, publisher* p) {
    auto c = std::make_unique<connection>();
    c->fd = std::exchange(fd, -1);
    c->v = v;
    c->p = p;
    c->in.assign(unread.begin(), unread.end());
    c->end = c->in.size();
    c->in.resize(std::max(initial_room, c->in.size() * 2));
    loops_[next_++ % loops_.size()]->add(std::move(c));
}

void live_loop::start() {
    for (auto& l : loops_)
        threads_.emplace_back([&l = *l] { l.run(); });
}

void live_loop::stop() {
    stopping_ = true;
    for (auto& t : threads_)
        t.join();
    threads_.clear();
}

}  // namespace belay::bench::net
