// /ws/session/{id}/: the replay socket. Streams a recorded session from the
// log with its original timing (replay::pacer), under the client's play,
// pause, speed and seek controls. The log is read on the blocking pool a
// bounded chunk ahead of the playhead, and each batch waits for the socket
// to take the one before, so memory does not grow with the session's length
// and a slow client only slows its own replay. See PROTOCOL.md, "Replay
// socket".

#include <chrono>
#include <deque>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "belay/engine/json_text.hpp"
#include "belay/projections/json_views.hpp"
#include "belay/replay/pacer.hpp"
#include "belay/replay/timeline.hpp"
#include "live_hub.hpp"
#include "ws_common.hpp"
#include "ws_connection.hpp"

namespace belay::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using clock_type = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t write_batch_bytes = 256 << 10;  // handed to the socket at once
constexpr std::size_t read_ahead_bytes = 512 << 10;   // frames read ahead of the playhead
constexpr std::size_t read_ahead_events = 4096;

std::int64_t mono_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               clock_type::now().time_since_epoch())
        .count();
}

// An event ready to send: its frame, with its offset for the pacer.
struct replay_item {
    std::uint64_t seq = 0;
    std::int64_t offset = 0;  // µs since the session's first event, gaps capped
    std::string text;
};

// Where playing resumes: an event and its place in time.
struct play_point {
    std::uint64_t seq = 0;
    std::int64_t time_us = 0;  // recorded
    std::int64_t offset = 0;   // µs
};

// A control message from the client, checked.
struct control {
    enum class kind { play, pause, set_speed, seek_seq, seek_offset, seek_frame } what;
    double speed = 0;
    std::uint64_t number = 0;  // seq or frame number
    std::int64_t offset_us = 0;
};
using control_result = std::variant<control, std::string>;  // or an error message to send

control_result parse_control(std::string_view text) {
    thread_local simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(text.data(), text.size()).get(doc))
        return error_message("invalid_json", "The message is not valid JSON.");
    simdjson::dom::object obj;
    if (doc.get(obj)) return error_message("not_an_object", "The message must be a JSON object.");
    std::string_view type;
    if (obj["type"].get(type))
        return error_message("missing_field", "\"type\" is required and must be a string.");
    if (type == "play") return control{control::kind::play};
    if (type == "pause") return control{control::kind::pause};
    if (type == "set_speed") {
        double speed = 0;
        if (obj["speed"].get(speed))
            return error_message("missing_field", "set_speed: \"speed\" must be a number.");
        if (!(speed >= 0.1 && speed <= 64))
            return error_message("invalid_value", "set_speed: \"speed\" must be from 0.1 to 64.");
        control c{control::kind::set_speed};
        c.speed = speed;
        return c;
    }
    if (type == "seek") {
        auto unsigned_field = [&](const char* name) -> std::optional<std::uint64_t> {
            std::uint64_t n = 0;
            std::int64_t i = 0;
            auto v = obj[name];
            if (!v.get(n)) return n;
            if (!v.get(i)) return 0;  // negative: the start
            return std::nullopt;
        };
        control c{control::kind::seek_seq};
        if (obj["seq"].error() == simdjson::SUCCESS) {
            auto n = unsigned_field("seq");
            if (!n) return error_message("wrong_type", "seek: \"seq\" must be an integer.");
            c.number = *n;
            return c;
        }
        if (obj["frame_number"].error() == simdjson::SUCCESS) {
            auto n = unsigned_field("frame_number");
            if (!n)
                return error_message("wrong_type", "seek: \"frame_number\" must be an integer.");
            c.what = control::kind::seek_frame;
            c.number = *n;
            return c;
        }
        double ms = 0;
        auto offset = obj["offset_ms"];
        if (offset.error() == simdjson::SUCCESS) {
            if (offset.get(ms) || !(ms < 9.0e12))
                return error_message("wrong_type", "seek: \"offset_ms\" must be a number.");
            c.what = control::kind::seek_offset;
            c.offset_us = static_cast<std::int64_t>(std::max(0.0, ms) * 1000);
            return c;
        }
        return error_message("missing_field",
                             "seek needs \"seq\", \"offset_ms\" or \"frame_number\".");
    }
    return error_message("unknown_type",
                         fmt::format("The replay socket does not accept \"{}\"; it takes play, "
                                     "pause, set_speed and seek.",
                                     type));
}

class replay_connection final : public ws_connection {
  public:
    replay_connection(ws_stream ws, std::shared_ptr<shared_state> state,
                      projections::user_view user, engine::entity_id session, replay_params params)
        : ws_connection(std::move(ws), std::move(state), std::move(user), session),
          params_(params),
          pacer_(params.speed, params.paused, mono_us()),
          reader_offsets_(params.max_gap_us) {}

    asio::awaitable<void> run();
    // Following a live session: a new event is in the log.
    void deliver(frame_ptr) override {
        if (params_.follow)
            asio::post(ws_.get_executor(), [self = shared()] { self->on_new_events(); });
    }

  private:
    std::shared_ptr<replay_connection> shared() { return shared_as<replay_connection>(); }
    asio::awaitable<void> play_loop();
    void send_text(std::string text) override {
        control_.push_back(std::move(text));
        wake_.cancel();
    }
    void on_message(std::string_view text) override {
        auto c = parse_control(text);
        if (auto* err = std::get_if<std::string>(&c))
            send_text(std::move(*err));
        else
            handle_control(std::get<control>(c));
    }
    void fail_read(const boost::system::error_code& ec);

    void start();
    void read_ahead();
    void on_read(std::uint64_t gen, std::vector<replay_item> items, replay::offset_tracker offsets,
                 bool at_end, boost::system::error_code ec);
    void on_end();
    void on_new_events();
    void handle_control(const control& c);
    void seek(control c);
    void resume_at(const play_point& p, std::int64_t playhead);

    // Blocking-pool helpers.
    engine::result<play_point> locate(std::uint64_t seq) const;
    engine::result<std::string> state_before(std::uint64_t seq, std::int64_t playhead) const;

    replay_params params_;
    std::shared_ptr<replay::timeline> timeline_;
    std::int64_t first_time_us_ = 0;  // the session's first event

    replay::pacer pacer_;
    std::deque<std::string> control_;  // messages that go before the next event
    std::deque<replay_item> ahead_;    // read, not yet sent
    std::size_t ahead_bytes_ = 0;
    std::uint64_t read_seq_ = 1;  // the next seq to read
    std::uint64_t end_seq_ = 0;   // the last seq to play (without follow)
    replay::offset_tracker reader_offsets_;
    std::uint64_t gen_ = 0;  // bumped by seeks: reads begun before one are dropped
    bool ready_ = false;     // replay_info sent
    bool reading_ = false;
    bool seeking_ = false;
    bool at_end_ = false;  // read to the end of what there is to play
    bool more_ = false;    // following: events arrived while reading
    bool completed_sent_ = false;
};

asio::awaitable<void> replay_connection::run() {
    if (auto view = open_session()) {  // attached: deletion, stop, follow
        end_seq_ = view->last_seq;
        start();
    }
    asio::co_spawn(ws_.get_executor(), play_loop(), asio::detached);
    co_await read_loop();
}

asio::awaitable<void> replay_connection::play_loop() {
    auto self = shared();  // lives as long as the loop
    auto& out = ws_.next_layer();
    for (;;) {
        if (done_ || !ws_.is_open()) co_return;
        for (; !control_.empty(); control_.pop_front())
            out.append_text(control_.front());
        if (close_ && out.pending() == 0) {
            auto reason = *close_;
            co_await ws_.async_close(reason, use_tuple);
            co_return;
        }
        std::optional<std::int64_t> wait;  // µs until the next event is due
        if (!close_ && ready_ && !seeking_) {
            auto now = mono_us();
            std::size_t batch = 0;
            while (!ahead_.empty() && batch < write_batch_bytes) {
                auto& next = ahead_.front();
                wait = pacer_.wait_for(next.offset, now);
                if (!wait || *wait > 0) break;
                out.append_text(next.text);
                batch += next.text.size();
                ahead_bytes_ -= next.text.size();
                pacer_.reached(next.offset, now);
                ahead_.pop_front();
                wait.reset();
            }
            if (ahead_.empty() && at_end_ && !reading_) on_end();
            if (!reading_ && !at_end_ && ahead_bytes_ < read_ahead_bytes / 2) read_ahead();
            for (; !control_.empty(); control_.pop_front())
                out.append_text(control_.front());
        }
        if (out.pending() > 0) {
            if (auto ec = co_await out.drain(); ec) co_return;
            continue;
        }
        if (wait && *wait > 0)
            wake_.expires_after(std::chrono::microseconds(*wait));
        else
            wake_.expires_at(clock_type::time_point::max());
        co_await wake_.async_wait(use_tuple);
    }
}

void replay_connection::fail_read(const boost::system::error_code& ec) {
    send_text(error_message("log_read_failed", "Reading the log failed: " + ec.message() + "."));
    close_with(websocket::close_code::internal_error, "cannot read the log");
}

// The event at `seq` (or the last one before it) and its offset.
engine::result<play_point> replay_connection::locate(std::uint64_t seq) const {
    auto& log = state_->router.context().log;
    auto cursor = log.read_stream(session_, engine::seq{seq});
    engine::event e;
    auto r = cursor.next(e);
    if (!r) return r.error();
    if (!*r) {  // past the end: the time and offset of the last event
        auto view = state_->router.context().store.session(session_);
        auto last = view ? view->last_seq : 0;
        if (last == 0 || last >= seq) return play_point{seq, 0, 0};
        auto p = locate(last);
        if (p) p->seq = seq;
        return p;
    }
    play_point p{seq, e.recv_time_us, e.recv_time_us - first_time_us_};
    if (params_.max_gap_us) {
        auto offset = timeline_->offset_of(engine::seq{seq});
        if (!offset) return offset.error();
        p.offset = *offset;
    }
    return p;
}

// {"type":"session_state",…} as of just before `seq`: the events before it
// folded, with the playhead and the last pose frame.
engine::result<std::string> replay_connection::state_before(std::uint64_t seq,
                                                            std::int64_t playhead) const {
    projections::session_view v;
    auto cursor = state_->router.context().log.read_stream(session_);
    engine::event e;
    for (;;) {
        auto r = cursor.next(e);
        if (!r) return r.error();
        if (!*r || e.seq.value >= seq) break;
        projections::apply(v, e);
    }
    v.id = session_;
    std::string out =
        fmt::format(R"({{"type":"session_state","session_id":"{}","seq":{},"offset_ms":{},)",
                    session_.to_string(), v.last_seq, playhead / 1000);
    if (!v.last_pose.empty()) out += "\"pose\":" + v.last_pose + ",";
    out += "\"session\":";
    projections::append_json(out, v);
    return out + "}";
}

// replay_info, and where playing starts (with the state before it when
// ?from_seq skips the beginning).
void replay_connection::start() {
    auto& ctx = state_->router.context();
    ctx.run_blocking([self = shared(), &ctx] {
        auto& log = ctx.log;
        auto fail = [&](boost::system::error_code ec) {
            asio::post(self->ws_.get_executor(), [self, ec] { self->fail_read(ec); });
        };
        engine::event first, last;
        auto r = log.read_stream(self->session_).next(first);
        if (!r) return fail(r.error());
        if (!*r) first.seq = engine::seq{1};
        auto end = self->end_seq_;
        if (*r) {
            auto l = log.read_stream(self->session_, engine::seq{end}).next(last);
            if (!l) return fail(l.error());
            if (!*l) last = first;
        }
        self->first_time_us_ = first.recv_time_us;
        self->timeline_ =
            std::make_shared<replay::timeline>(log, self->session_, self->params_.max_gap_us);
        std::int64_t duration = last.recv_time_us - first.recv_time_us;
        if (self->params_.max_gap_us) {
            auto d = self->timeline_->offset_of(engine::seq{end});
            if (!d) return fail(d.error());
            duration = *d;
        }
        auto from = std::clamp<std::uint64_t>(self->params_.from_seq.value_or(1), first.seq.value,
                                              std::max(end, first.seq.value) + 1);
        auto point = self->locate(from);
        if (!point) return fail(point.error());
        std::string state;
        if (from > first.seq.value) {
            auto s = self->state_before(from, point->offset);
            if (!s) return fail(s.error());
            state = std::move(*s);
        }
        auto view = ctx.store.session(self->session_);
        std::string info = R"({"type":"replay_info","session":)";
        if (view) projections::append_json(info, *view);
        info += fmt::format(
            R"(,"first_seq":{},"last_seq":{},"event_count":{},"duration_ms":{},"speed":{},"paused":{},"follow":{}}})",
            *r ? first.seq.value : 0, end, view ? view->event_count : 0,
            std::max<std::int64_t>(0, duration) / 1000, self->params_.speed,
            self->params_.paused ? "true" : "false", self->params_.follow ? "true" : "false");
        asio::post(self->ws_.get_executor(),
                   [self, info = std::move(info), state = std::move(state), p = *point]() mutable {
                       if (self->close_ || self->done_) return;
                       self->send_text(std::move(info));
                       if (!state.empty()) self->send_text(std::move(state));
                       self->ready_ = true;
                       self->resume_at(p, p.offset);
                   });
    });
}

// Plays on from `p` with the playhead at `playhead`.
void replay_connection::resume_at(const play_point& p, std::int64_t playhead) {
    ++gen_;
    ahead_.clear();
    ahead_bytes_ = 0;
    reading_ = false;
    at_end_ = false;
    completed_sent_ = false;
    read_seq_ = p.seq;
    reader_offsets_ = replay::offset_tracker(params_.max_gap_us);
    reader_offsets_.resume(p.time_us, p.offset);
    pacer_.seek(playhead, mono_us());
    read_ahead();
    wake_.cancel();
}

void replay_connection::read_ahead() {
    if (reading_ || at_end_ || close_ || done_) return;
    if (!params_.follow && read_seq_ > end_seq_) {
        at_end_ = true;
        return;
    }
    reading_ = true;
    more_ = false;
    auto& ctx = state_->router.context();
    ctx.run_blocking([self = shared(), &ctx, gen = gen_, from = read_seq_,
                      end = params_.follow ? UINT64_MAX : end_seq_, offsets = reader_offsets_,
                      budget = read_ahead_bytes - ahead_bytes_]() mutable {
        std::vector<replay_item> items;
        auto cursor = ctx.log.read_stream(self->session_, engine::seq{from});
        engine::event e;
        std::size_t bytes = 0;
        bool at_end = false;
        boost::system::error_code ec;
        while (bytes < budget && items.size() < read_ahead_events) {
            auto r = cursor.next(e);
            if (!r) {
                ec = r.error();
                break;
            }
            if (!*r || e.seq.value > end) {
                at_end = true;
                break;
            }
            auto offset = offsets.next(e.recv_time_us);
            items.push_back({e.seq.value, offset, frame_text(e, offset / 1000)});
            bytes += items.back().text.size();
            if (e.seq.value == end) {
                at_end = true;
                break;
            }
        }
        asio::post(self->ws_.get_executor(),
                   [self, gen, items = std::move(items), offsets, at_end, ec]() mutable {
                       self->on_read(gen, std::move(items), offsets, at_end, ec);
                   });
    });
}

void replay_connection::on_read(std::uint64_t gen, std::vector<replay_item> items,
                                replay::offset_tracker offsets, bool at_end,
                                boost::system::error_code ec) {
    if (gen != gen_ || close_ || done_) return;
    reading_ = false;
    if (ec) return fail_read(ec);
    for (auto& item : items) {
        if (item.seq != read_seq_) continue;  // cannot happen: streams are gap-free
        ++read_seq_;
        ahead_bytes_ += item.text.size();
        ahead_.push_back(std::move(item));
    }
    reader_offsets_ = offsets;
    at_end_ = at_end && !more_;
    if (!at_end_ && ahead_bytes_ < read_ahead_bytes / 2) read_ahead();
    wake_.cancel();
}

// Everything there is to play has been sent.
void replay_connection::on_end() {
    if (completed_sent_) return;
    auto view = state_->router.context().store.session(session_);
    if (!view) {
        send_text(not_found_message(session_));
        return close_with(4404, "session not found");
    }
    // Following: a session still going waits for its next events. One that
    // has ended completes once the log is read up to its last event: the
    // projection can show the end before the nudge to read that event comes.
    if (params_.follow) {
        if (view->status == "started") return;
        if (read_seq_ <= view->last_seq) {
            at_end_ = false;
            return read_ahead();
        }
    }
    completed_sent_ = true;
    send_text(fmt::format(R"({{"type":"replay_completed","last_seq":{}}})", read_seq_ - 1));
}

void replay_connection::on_new_events() {
    if (close_ || done_) return;
    if (reading_) {
        more_ = true;
        return;
    }
    if (at_end_) {
        at_end_ = false;
        completed_sent_ = false;
        read_ahead();
    }
}

void replay_connection::handle_control(const control& c) {
    auto now = mono_us();
    switch (c.what) {
        case control::kind::play:
            pacer_.play(now);
            break;
        case control::kind::pause:
            pacer_.pause(now);
            break;
        case control::kind::set_speed:
            pacer_.set_speed(c.speed, now);
            break;
        default:
            if (!ready_) {
                send_text(error_message("not_ready", "The replay has not started yet."));
                return;
            }
            return seek(c);
    }
    wake_.cancel();
}

// Finds the target on the blocking pool, sends the state before it, then
// plays on from it. Reads begun before the seek are dropped (gen_).
void replay_connection::seek(control c) {
    ++gen_;
    seeking_ = true;
    reading_ = false;
    ahead_.clear();
    ahead_bytes_ = 0;
    auto& ctx = state_->router.context();
    ctx.run_blocking([self = shared(), gen = gen_, c] {
        auto fail = [&](boost::system::error_code ec) {
            asio::post(self->ws_.get_executor(), [self, ec] { self->fail_read(ec); });
        };
        auto end = self->params_.follow ? UINT64_MAX : self->end_seq_;
        std::uint64_t seq = c.number;
        std::optional<std::int64_t> playhead;
        if (c.what == control::kind::seek_offset) {
            auto s = self->timeline_->seq_at_offset(c.offset_us);
            if (!s) return fail(s.error());
            seq = s->value;
            playhead = c.offset_us;
        } else if (c.what == control::kind::seek_frame) {
            auto s = self->timeline_->seq_of_pose_frame(c.number);
            if (!s) return fail(s.error());
            seq = s->value;
        }
        if (end == UINT64_MAX) {  // following: the end is where the session is now
            auto view = self->state_->router.context().store.session(self->session_);
            end = view ? view->last_seq : 0;
        }
        seq = std::clamp<std::uint64_t>(seq, 1, end + 1);
        auto point = self->locate(seq);
        if (!point) return fail(point.error());
        if (!playhead || *playhead > point->offset) playhead = point->offset;
        auto state = self->state_before(seq, *playhead);
        if (!state) return fail(state.error());
        asio::post(self->ws_.get_executor(),
                   [self, gen, state = std::move(*state), p = *point, playhead = *playhead] {
                       if (gen != self->gen_ || self->close_ || self->done_) return;
                       self->seeking_ = false;
                       self->send_text(state);
                       self->resume_at(p, playhead);
                   });
    });
    wake_.cancel();
}

}  // namespace

asio::awaitable<void> serve_replay(ws_stream ws, std::shared_ptr<shared_state> state,
                                   projections::user_view user, engine::entity_id session,
                                   replay_params params) {
    auto c = std::make_shared<replay_connection>(std::move(ws), std::move(state), std::move(user),
                                                 session, params);
    co_await c->run();
}

}  // namespace belay::transport
