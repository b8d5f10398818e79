// The network scenarios: ingest, fanout, gym and replay over real sockets.
// Connections open on Asio (a coroutine each, on an io_context run by
// --client-threads threads). Live sockets then move to the live loop
// (live_loop.hpp, as many threads); replays stay on Asio. Each client keeps
// its own figures, merged once its threads have stopped.

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "clients.hpp"
#include "live_loop.hpp"
#include "raw_ws.hpp"
#include "report.hpp"
#include "sockets.hpp"

namespace belay::bench::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ws_t = raw_ws;
using asio::awaitable;
using asio::use_awaitable;

// One io_context and its threads for a run. Stopping it destroys every
// connection's coroutine (and socket) with it.
class client_pool {
  public:
    explicit client_pool(const target& t, unsigned threads)
        : io_(threads <= 1 ? 1 : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT),
          t_(t),
          threads_(std::max(1u, threads)) {
        tcp::resolver r(io_);
        endpoint_ = *r.resolve(t.host, std::to_string(t.port)).begin();
    }
    ~client_pool() { stop(); }
    template <class Awaitable>
    void spawn(Awaitable a) {
        // With one thread every handler runs on it: a strand per connection
        // would only add its locking and a hop per handler.
        if (threads_ == 1)
            asio::co_spawn(io_, std::move(a), asio::detached);
        else
            asio::co_spawn(asio::make_strand(io_), std::move(a), asio::detached);
    }
    void start() {
        for (unsigned i = 0; i < threads_; ++i)
            threads_v_.emplace_back([this] { io_.run(); });
    }
    void stop() {
        work_.reset();
        io_.stop();
        for (auto& t : threads_v_)
            t.join();
        threads_v_.clear();
    }
    const target& where() const { return t_; }
    const tcp::endpoint& endpoint() const { return endpoint_; }

  private:
    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
        asio::make_work_guard(io_)};
    target t_;
    unsigned threads_;
    tcp::endpoint endpoint_;
    std::vector<std::thread> threads_v_;
};

std::string socket_path(const std::string& kind, const std::string& session,
                        const std::string& token, const std::string& query = {}) {
    return fmt::format("/ws/{}/{}/?token={}{}", kind, session, token, query);
}

awaitable<ws_t> open_ws(const client_pool& pool, std::string path) {
    return raw_ws::connect(pool.endpoint(), pool.where().host, std::move(path));
}

// Waits (polling) until `done()` or `timeout_s` passed; false on timeout.
template <class Done>
bool wait_until(Done done, double timeout_s) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

// Starts `n` coroutines' worth of connections and waits until they are all
// ready (or failed).
template <class T>
void await_ready(const std::vector<std::unique_ptr<T>>& all, double timeout_s = 60) {
    bool ok = wait_until(
        [&] {
            return std::all_of(all.begin(), all.end(),
                               [](const auto& x) { return x->ready.load() || x->failed.load(); });
        },
        timeout_s);
    for (auto& x : all)
        if (x->failed) throw std::runtime_error("a connection failed: " + x->error);
    if (!ok) throw std::runtime_error("connections were not ready in time");
}

// Connects a viewer's or publisher's socket, upgrades it and reads the
// session's state; then the socket leaves Asio for the live loop.
template <class Client>
awaitable<void> open_client(client_pool& pool, Client& c) {
    try {
        auto ws = co_await open_ws(pool, socket_path("session-live", c.session, c.token));
        auto first = scan(co_await ws.read(), false);
        if constexpr (std::is_same_v<Client, viewer>)
            if (first.type == "session_state" && first.seq) c.base = *first.seq + 1;
        c.fd = ws.release(c.unread);
        c.ready = true;
    } catch (const std::exception& e) {
        c.error = e.what();
        c.failed = true;
    }
}

// Opens the clients' sockets (on Asio), then hands them to `loop`.
template <class Client>
void open_all(const target& t, unsigned threads, std::vector<std::unique_ptr<Client>>& all,
              live_loop& loop) {
    client_pool pool(t, threads);
    pool.start();
    for (auto& c : all)
        pool.spawn(open_client(pool, *c));
    try {
        await_ready(all);
    } catch (...) {
        pool.stop();
        for (auto& c : all)
            if (c->fd >= 0) ::close(std::exchange(c->fd, -1));
        throw;
    }
    pool.stop();
    for (auto& c : all)
        loop.add(*c);
}

std::string qstr(std::string_view s) {
    return json_string(s);
}

// ---------------------------------------------------------------------------
// One gym-sized run (also the fanout scenario: one session, N viewers).

struct live_run {
    std::uint64_t sent = 0, delivered = 0, expected = 0, disorder = 0, errors = 0;
    std::uint64_t lost = 0;
    latencies lat;  // the whole run's: by_send's quarters together
    timeline by_send;
    double seconds = 0;
};

live_run run_sessions(const target& t, unsigned threads, unsigned sessions, unsigned viewers_each,
                      double rate_each, unsigned landmarks, unsigned climb_every, double seconds) {
    auto tokens = user_tokens(t, static_cast<std::size_t>(sessions) * (viewers_each + 1));
    std::vector<std::string> ids;
    for (unsigned s = 0; s < sessions; ++s)
        ids.push_back(create_session(t, tokens[s % tokens.size()]));
    std::vector<std::unique_ptr<send_times>> times;
    auto capacity = static_cast<std::size_t>(rate_each * (seconds + 2) + 64);
    std::vector<std::unique_ptr<viewer>> viewers;
    std::vector<std::unique_ptr<publisher>> pubs;
    live_loop loop(threads);  // stopped before the clients it drives go
    std::atomic<std::int64_t> run_start{0};
    std::mt19937_64 rng(42);
    for (unsigned s = 0; s < sessions; ++s) {
        times.push_back(std::make_unique<send_times>(capacity));
        for (unsigned v = 0; v < viewers_each; ++v) {
            auto x = std::make_unique<viewer>();
            x->session = ids[s];
            x->token = tokens[s % tokens.size()];
            x->times = times.back().get();
            x->run_start = &run_start;
            x->old = t.old_protocol;
            viewers.push_back(std::move(x));
        }
    }
    open_all(t, threads, viewers, loop);
    for (unsigned s = 0; s < sessions; ++s) {
        auto p = std::make_unique<publisher>();
        p->session = ids[s];
        p->token = tokens[s % tokens.size()];
        p->times = times[s].get();
        p->old = t.old_protocol;
        p->rate = rate_each;
        p->landmarks = landmarks;
        p->climb_every = climb_every;
        p->start_us = INT64_MAX;
        pubs.push_back(std::move(p));
    }
    open_all(t, threads, pubs, loop);
    // Rigs are not in step: each starts somewhere in its first frame period.
    auto start = mono_us() + 200'000;
    run_start = start;  // before any send
    auto stop = start + static_cast<std::int64_t>(seconds * 1e6);
    std::uniform_int_distribution<std::int64_t> phase(0,
                                                      static_cast<std::int64_t>(1e6 / rate_each));
    for (auto& p : pubs) {
        p->stop_us = stop;
        p->start_us = start + (sessions > 1 ? phase(rng) : 0);
    }
    loop.start();
    wait_until(
        [&] {
            return std::all_of(pubs.begin(), pubs.end(), [](auto& p) { return p->done.load(); });
        },
        seconds + 60);
    live_run r;
    r.seconds = seconds;
    for (auto& p : pubs)
        r.sent += p->sent;
    auto expected_total = [&] {
        std::uint64_t n = 0;
        for (std::size_t i = 0; i < viewers.size(); ++i)
            n += pubs[i / viewers_each]->sent;
        return n;
    };
    r.expected = expected_total();
    auto delivered = [&] {
        std::uint64_t n = 0;
        for (auto& v : viewers)
            n += v->received.load(std::memory_order_relaxed);
        return n;
    };
    // In the old protocol climbs carry no key: only poses are counted.
    if (t.old_protocol && climb_every) {
        r.expected = 0;
        for (std::size_t i = 0; i < viewers.size(); ++i) {
            auto n = pubs[i / viewers_each]->sent.load();
            r.expected += n - n / climb_every;
        }
    }
    wait_until([&] { return delivered() >= r.expected; }, 10 + seconds);
    // Deliveries/s over the time they took: publishing, and the tail after it.
    r.seconds = std::max(seconds, (mono_us() - start) / 1e6);
    loop.stop();
    for (auto& v : viewers) {
        r.delivered += v->received;
        r.disorder += v->disorder;
        r.by_send.merge(v->by_send);
    }
    for (const auto& q : r.by_send.quarters)
        r.lat.merge(q);
    for (auto& p : pubs)
        r.errors += p->errors;
    r.lost = r.expected > r.delivered ? r.expected - r.delivered : 0;
    return r;
}

void add_loss_checks(outcome& o, const live_run& r) {
    if (r.lost) o.checks_failed.push_back(fmt::format("{} deliveries lost", r.lost));
    if (r.disorder)
        o.checks_failed.push_back(fmt::format("{} deliveries out of order", r.disorder));
    if (r.errors) o.checks_failed.push_back(fmt::format("{} error messages", r.errors));
}

}  // namespace

// ---------------------------------------------------------------------------

int run_ingest(const ingest_params& p) {
    auto server = open_server(p.common);
    const auto& t = server.where;
    auto cpu0 = process_cpu_seconds();
    auto server0 = read_process(t.pid);
    auto tokens = user_tokens(t, p.publishers);
    std::vector<std::string> ids;
    for (unsigned s = 0; s < std::max(1u, p.sessions); ++s)
        ids.push_back(create_session(t, tokens[s % tokens.size()]));
    std::vector<std::unique_ptr<publisher>> pubs;
    live_loop loop(p.common.client_threads);  // stopped before the publishers go
    for (unsigned i = 0; i < p.publishers; ++i) {
        auto x = std::make_unique<publisher>();
        x->session = ids[i % ids.size()];
        x->token = tokens[(i % ids.size()) % tokens.size()];
        x->old = t.old_protocol;
        x->rate = p.rate / p.publishers;
        x->window = std::max(1u, p.window);
        x->landmarks = p.landmarks;
        x->start_us = INT64_MAX;
        pubs.push_back(std::move(x));
    }
    open_all(t, p.common.client_threads, pubs, loop);
    auto start = mono_us() + 100'000;
    for (auto& x : pubs) {
        x->stop_us = start + static_cast<std::int64_t>(p.common.seconds * 1e6);
        x->start_us = start;
    }
    loop.start();
    auto all = [&](auto field) {
        std::uint64_t n = 0;
        for (auto& x : pubs)
            n += ((*x).*field).load();
        return n;
    };
    wait_until(
        [&] {
            return std::all_of(pubs.begin(), pubs.end(), [](auto& x) { return x->done.load(); });
        },
        p.common.seconds + 60);
    auto acked_in_time = all(&publisher::acked);
    wait_until([&] { return all(&publisher::acked) >= all(&publisher::sent); }, 10);
    loop.stop();
    latencies lat;
    std::uint64_t sent = 0, acked = 0, errors = 0;
    for (auto& x : pubs) {
        lat.merge(x->ack_lat);
        sent += x->sent;
        acked += x->acked;
        errors += x->errors;
    }
    outcome o;
    for (auto& x : pubs)
        if (x->failed) o.checks_failed.push_back("a publisher failed: " + x->error);
    o.scenario = "ingest";
    o.parameters = {{"publishers", std::to_string(p.publishers)},
                    {"sessions", std::to_string(ids.size())},
                    {"window", std::to_string(p.window)},
                    {"rate", fmt::format("{}", p.rate)},
                    {"landmarks", std::to_string(p.landmarks)},
                    {"seconds", fmt::format("{}", p.common.seconds)},
                    {"durability", qstr(server.local ? p.common.durability : "server's")}};
    o.figures = {{"acked_events_per_s", static_cast<double>(acked_in_time) / p.common.seconds},
                 {"sent", static_cast<double>(sent)},
                 {"acked", static_cast<double>(acked)},
                 {"ack_p50_ms", lat.percentile_ms(0.5)},
                 {"ack_p99_ms", lat.percentile_ms(0.99)},
                 {"ack_p999_ms", lat.percentile_ms(0.999)},
                 {"ack_max_ms", lat.max_ms()}};
    if (acked < sent)
        o.checks_failed.push_back(fmt::format("{} sends never acknowledged", sent - acked));
    if (errors) o.checks_failed.push_back(fmt::format("{} error messages", errors));
    return finish(o, p.common, t, cpu0, server0);
}

int run_fanout(const fanout_params& p) {
    auto server = open_server(p.common);
    const auto& t = server.where;
    auto cpu0 = process_cpu_seconds();
    auto server0 = read_process(t.pid);
    auto r = run_sessions(t, p.common.client_threads, 1, p.subscribers, p.rate, p.landmarks, 0,
                          p.common.seconds);
    outcome o;
    o.scenario = "fanout";
    o.parameters = {{"subscribers", std::to_string(p.subscribers)},
                    {"rate", fmt::format("{}", p.rate)},
                    {"landmarks", std::to_string(p.landmarks)},
                    {"seconds", fmt::format("{}", p.common.seconds)},
                    {"durability", qstr(server.local ? p.common.durability : "server's")}};
    o.figures = {{"deliveries_per_s", static_cast<double>(r.delivered) / r.seconds},
                 {"published", static_cast<double>(r.sent)},
                 {"delivered", static_cast<double>(r.delivered)},
                 {"lost", static_cast<double>(r.lost)},
                 {"latency_p50_ms", r.lat.percentile_ms(0.5)},
                 {"latency_p99_ms", r.lat.percentile_ms(0.99)},
                 {"latency_p999_ms", r.lat.percentile_ms(0.999)},
                 {"latency_max_ms", r.lat.max_ms()},
                 {"worst_quarter_p99_ms", r.by_send.worst_p99_ms()}};
    o.extra_json = ",\"timeline\":" + r.by_send.json();
    add_loss_checks(o, r);
    return finish(o, p.common, t, cpu0, server0);
}

int run_gym(const gym_params& p) {
    auto server = open_server(p.common);
    const auto& t = server.where;
    auto cpu0 = process_cpu_seconds();
    auto server0 = read_process(t.pid);
    struct step {
        unsigned sessions;
        live_run r;
        double p99;
        bool pass;
    };
    std::vector<step> steps;
    auto run_one = [&](unsigned n) {
        fmt::print("gym: {} sessions × ({} rig + {} viewers)…\n", n, 1, p.viewers);
        auto r = run_sessions(t, p.common.client_threads, n, p.viewers, p.pose_hz, p.landmarks,
                              static_cast<unsigned>(std::max(1.0, p.pose_hz)), p.common.seconds);
        auto p99 = r.lat.percentile_ms(0.99);
        bool pass = r.lost == 0 && r.disorder == 0 && r.errors == 0 && p99 <= p.max_p99_ms;
        fmt::print("  p99 {:.2f} ms (worst quarter second {:.2f} ms), {} delivered, {} lost: {}\n",
                   p99, r.by_send.worst_p99_ms(), r.delivered, r.lost, pass ? "pass" : "fail");
        steps.push_back({n, std::move(r), p99, pass});
        return pass;
    };
    if (!p.find) {
        for (auto n : p.sessions)
            run_one(n);
    } else {
        unsigned good = 0, bad = 0, n = std::max(1u, p.sessions.front());
        while (n <= 50'000 && run_one(n)) {
            good = n;
            n *= 2;
        }
        bad = n;
        while (bad - good > std::max(10u, good / 10)) {
            auto mid = good + (bad - good) / 2;
            (run_one(mid) ? good : bad) = mid;
        }
    }
    outcome o;
    o.scenario = "gym";
    o.parameters = {{"viewers_per_session", std::to_string(p.viewers)},
                    {"pose_hz", fmt::format("{}", p.pose_hz)},
                    {"landmarks", std::to_string(p.landmarks)},
                    {"max_p99_ms", fmt::format("{}", p.max_p99_ms)},
                    {"seconds_per_step", fmt::format("{}", p.common.seconds)},
                    {"find", p.find ? "true" : "false"},
                    {"durability", qstr(server.local ? p.common.durability : "server's")}};
    unsigned best = 0;
    std::string extra = ",\"steps\":[";
    for (std::size_t i = 0; i < steps.size(); ++i) {
        auto& s = steps[i];
        if (s.pass) best = std::max(best, s.sessions);
        extra += fmt::format(
            R"({}{{"sessions":{},"pass":{},"p50_ms":{:.3f},"p99_ms":{:.3f},"max_ms":{:.3f},"delivered":{},"lost":{},"deliveries_per_s":{:.0f},"worst_quarter_p99_ms":{:.3f},"timeline":{}}})",
            i ? "," : "", s.sessions, s.pass, s.r.lat.percentile_ms(0.5), s.p99, s.r.lat.max_ms(),
            s.r.delivered, s.r.lost, static_cast<double>(s.r.delivered) / s.r.seconds,
            s.r.by_send.worst_p99_ms(), s.r.by_send.json());
    }
    o.extra_json = extra + "]";
    o.figures = {{"largest_passing_sessions", static_cast<double>(best)}};
    if (!p.find)
        for (auto& s : steps) {
            add_loss_checks(o, s.r);
            o.figures.push_back({fmt::format("p99_ms_at_{}", s.sessions), s.p99});
        }
    return finish(o, p.common, t, cpu0, server0);
}

// ---------------------------------------------------------------------------

namespace {

struct replayer {
    std::string session, token;
    std::uint64_t events = 0, disorder = 0, last_seq = 0;
    std::atomic<bool> ready{false}, done{false};
    std::int64_t finished_us = 0;
    std::string error;
};

awaitable<void> run_replayer(client_pool& pool, replayer& r) {
    try {
        auto ws = co_await open_ws(pool, socket_path("session", r.session, r.token, "&speed=0"));
        r.ready = true;
        std::uint64_t next = 1;
        for (;;) {
            auto text = co_await ws.read();
            auto m = scan(text, false);
            if (m.type == "replay_completed") {
                auto at = text.find(R"("last_seq":)");
                if (at != std::string_view::npos)
                    std::from_chars(text.data() + at + 11, text.data() + text.size(), r.last_seq);
                break;
            }
            if (!is_event(m.type) || !m.seq) continue;
            if (*m.seq != next) ++r.disorder;
            next = *m.seq + 1;
            ++r.events;
        }
        r.finished_us = mono_us();
        co_await ws.close();
    } catch (const std::exception& e) {
        r.error = e.what();
    }
    r.done = true;
}

}  // namespace

int run_replay(const replay_params& p) {
    auto server = open_server(p.common);
    const auto& t = server.where;
    if (t.old_protocol) throw std::invalid_argument("replay needs the Belay protocol");
    auto cpu0 = process_cpu_seconds();
    auto server0 = read_process(t.pid);
    auto tokens = user_tokens(t, p.clients + 1);
    auto session = p.session;
    double record_s = 0;
    if (session.empty()) {
        session = create_session(t, tokens[0]);
        fmt::print("replay: recording {} events…\n", p.events);
        std::vector<std::unique_ptr<publisher>> recorder;
        live_loop loop(1);  // stopped before the recorder goes
        recorder.push_back(std::make_unique<publisher>());
        auto& rec = *recorder.front();
        rec.session = session;
        rec.token = tokens[0];
        rec.window = 256;
        rec.landmarks = p.landmarks;
        rec.start_us = 0;
        rec.stop_us = INT64_MAX;
        open_all(t, 1, recorder, loop);
        auto begin = mono_us();
        loop.start();
        wait_until([&] { return rec.sent.load() >= p.events || rec.failed.load(); }, 3600);
        rec.stop_us = 0;  // the loop stops sending at its next look
        wait_until([&] { return rec.acked.load() >= rec.sent.load() || rec.failed.load(); }, 60);
        record_s = (mono_us() - begin) / 1e6;
        loop.stop();
        if (rec.failed) throw std::runtime_error("recording failed: " + rec.error);
    }
    auto before = read_process(t.pid);
    std::atomic<bool> sampling{true};
    std::uint64_t peak_rss = before.rss_bytes;
    std::thread sampler([&] {
        while (sampling) {
            peak_rss = std::max(peak_rss, read_process(t.pid).rss_bytes);
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    });
    auto pool = std::make_unique<client_pool>(t, p.common.client_threads);
    std::vector<std::unique_ptr<replayer>> clients;
    auto begin = mono_us();
    for (unsigned i = 0; i < std::max(1u, p.clients); ++i) {
        auto r = std::make_unique<replayer>();
        r->session = session;
        r->token = p.session.empty() ? tokens[0] : t.token;  // a given session: the given token
        pool->spawn(run_replayer(*pool, *r));
        clients.push_back(std::move(r));
    }
    pool->start();
    wait_until(
        [&] {
            return std::all_of(clients.begin(), clients.end(),
                               [](auto& r) { return r->done.load(); });
        },
        3600);
    sampling = false;
    sampler.join();
    pool->stop();
    std::uint64_t events = 0, disorder = 0;
    std::int64_t end = begin;
    outcome o;
    for (auto& r : clients) {
        events += r->events;
        disorder += r->disorder;
        end = std::max(end, r->finished_us);
        if (!r->error.empty()) o.checks_failed.push_back("a replay failed: " + r->error);
        if (r->events != r->last_seq)
            o.checks_failed.push_back(
                fmt::format("a replay got {} of {} events", r->events, r->last_seq));
    }
    if (disorder) o.checks_failed.push_back(fmt::format("{} events out of order", disorder));
    pool.reset();
    auto seconds = (end - begin) / 1e6;
    o.scenario = "replay";
    o.parameters = {{"clients", std::to_string(p.clients)},
                    {"events", std::to_string(clients.front()->last_seq)},
                    {"landmarks", std::to_string(p.landmarks)},
                    {"speed", "0"}};
    o.figures = {{"events_per_s", static_cast<double>(events) / seconds},
                 {"seconds", seconds},
                 {"events_delivered", static_cast<double>(events)}};
    if (record_s > 0) o.figures.push_back({"recording_seconds", record_s});
    if (t.pid > 0) {
        o.figures.push_back({"server_rss_before_mib", before.rss_bytes / 1048576.0});
        o.figures.push_back({"server_rss_peak_during_mib", peak_rss / 1048576.0});
    }
    return finish(o, p.common, t, cpu0, server0);
}

}  // namespace belay::bench::net
