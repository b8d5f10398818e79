// /ws/session-live/{id}/: the live socket. Each connection is a subscriber
// of its session's live tail with a bounded outbox; one that falls behind
// reads from the log until it has caught up, then returns to live, so it
// loses nothing and memory stays bounded. See PROTOCOL.md, "Live socket".

#include <chrono>
#include <deque>
#include <mutex>

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "belay/engine/json_text.hpp"
#include "belay/engine/validate.hpp"
#include "live_hub.hpp"
#include "websocket.hpp"
#include "ws_common.hpp"
#include "ws_connection.hpp"

namespace belay::transport {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using clock_type = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// The most bytes of frames handed to the socket in one write.
constexpr std::size_t write_batch_bytes = 256 << 10;

class live_connection final : public ws_connection {
  public:
    live_connection(ws_stream ws, std::shared_ptr<shared_state> state, projections::user_view user,
                    engine::entity_id session)
        : ws_connection(std::move(ws), std::move(state), std::move(user), session),
          lag_guard_(ws_.get_executor()) {}

    asio::awaitable<void> run(std::optional<std::uint64_t> after_seq);
    void deliver(frame_ptr f) override {
        asio::post(ws_.get_executor(), [self = shared(), f] { self->on_frames(&f, &f + 1); });
    }
    void deliver_batch(frame_batch batch) override {
        asio::post(ws_.get_executor(), [self = shared(), batch] {
            self->on_frames(batch->data(), batch->data() + batch->size());
        });
    }

  private:
    std::shared_ptr<live_connection> shared() { return shared_as<live_connection>(); }
    asio::awaitable<void> write_loop();
    void on_frames(const frame_ptr* begin, const frame_ptr* end);
    void on_frame(const frame_ptr& f);
    void enqueue(frame_ptr f);
    void send_text(std::string text) override {
        enqueue(std::make_shared<const live_frame>(live_frame{0, std::move(text)}));
    }
    void on_message(std::string_view text) override { handle_message(text); }
    void on_done() override { lag_guard_.cancel(); }
    void read_from_log();
    void on_log_read(std::vector<frame_ptr> frames, bool at_end, boost::system::error_code ec);
    void handle_message(std::string_view text);
    using append_outcome = engine::result<std::vector<engine::append_result>>;
    // From the log's thread: queued, and the first of a burst posts on_acks.
    void appended(std::string client_id, append_outcome r);
    void on_acks();
    // False if the ack was queued for the write loop rather than appended
    // to the socket's queue (which the caller then flushes).
    bool on_appended(std::string client_id, append_outcome r);
    // Live, nothing queued, not closing: the next frame may go straight into
    // the socket's write queue (no outbox, no wake of the write loop).
    bool writes_directly() {
        return live_ && outbox_.empty() && !close_ && !done_ && ws_.is_open();
    }
    bool room() const {
        return outbox_bytes_ < state_->options.outbox_bytes || state_->options.outbox_bytes == 0;
    }
    void check_lag();

    asio::steady_timer lag_guard_;  // cuts a lagging client that does not take its close
    std::deque<frame_ptr> outbox_;
    std::size_t outbox_bytes_ = 0;
    std::uint64_t next_seq_ = 1;  // the next seq this client is owed
    bool live_ = false;           // fed by the hub; otherwise by reads from the log
    bool reading_log_ = false;
    std::optional<clock_type::time_point> behind_since_;

    // Outcomes of this client's appends, handed over by the log's thread. A
    // sync completes hundreds of appends at once, often several of one
    // client's: their acks then go out in one write, not one each.
    struct append_done {
        std::string client_id;
        append_outcome outcome;
    };
    std::mutex appended_mutex_;
    std::vector<append_done> appended_;  // guarded by appended_mutex_
};

asio::awaitable<void> live_connection::run(std::optional<std::uint64_t> after_seq) {
    if (auto view = open_session()) {
        send_text(session_state_message(*view));
        // Resume after what the client saw; a claim past the end (or a huge
        // number) starts at the end.
        next_seq_ = std::min(after_seq.value_or(view->last_seq), view->last_seq) + 1;
        read_from_log();  // anything past the state, then live
    }
    asio::co_spawn(ws_.get_executor(), write_loop(), asio::detached);
    co_await read_loop();
}

asio::awaitable<void> live_connection::write_loop() {
    auto self = shared();  // lives as long as the loop
    auto& out = ws_.next_layer();
    for (;;) {
        if (outbox_.empty()) {
            if (close_) {
                auto reason = *close_;
                co_await ws_.async_close(reason, use_tuple);
                co_return;
            }
            if (done_) co_return;
            wake_.expires_at(clock_type::time_point::max());
            co_await wake_.async_wait(use_tuple);
            continue;
        }
        if (!ws_.is_open()) co_return;  // the peer is closing: Beast answers it
        // Everything queued goes out in one write (up to a batch's worth).
        std::size_t batch = 0;
        while (!outbox_.empty() && batch < write_batch_bytes) {
            const auto& text = outbox_.front()->text;
            out.append_text(text);
            batch += text.size();
            outbox_bytes_ -= text.size();
            outbox_.pop_front();
        }
        if (auto ec = co_await out.drain(); ec) co_return;
        if (!live_ && !reading_log_ && !close_ && room()) read_from_log();
    }
}

void live_connection::enqueue(frame_ptr f) {
    outbox_bytes_ += f->text.size();
    outbox_.push_back(std::move(f));
    wake_.cancel();
}

// Frames from the hub. The common case, live with nothing queued, goes
// straight to the socket's write queue: no outbox, no wake of the write loop.
void live_connection::on_frames(const frame_ptr* begin, const frame_ptr* end) {
    auto& out = ws_.next_layer();
    bool direct = writes_directly();
    bool appended = false;
    for (auto it = begin; it != end; ++it) {
        const auto& f = *it;
        if (direct && f->seq < next_seq_) continue;
        if (direct && f->seq == next_seq_ && out.pending() < write_batch_bytes) {
            out.append_text(f->text);
            appended = true;
            ++next_seq_;
            continue;
        }
        direct = false;
        on_frame(f);
    }
    if (appended) out.flush();
}

void live_connection::on_frame(const frame_ptr& f) {
    if (close_ || done_) return;
    if (!live_) return check_lag();  // the log has it; but a client stuck behind is cut
    if (f->seq < next_seq_) return;
    if (f->seq == next_seq_ && room()) {
        enqueue(f);
        ++next_seq_;
        return;
    }
    // A gap, or no room: fall back to the log from next_seq_.
    live_ = false;
    behind_since_ = clock_type::now();
    if (room()) read_from_log();
}

// Reads the next events from the log on the blocking pool; the result comes
// back to the connection's thread.
void live_connection::read_from_log() {
    if (reading_log_ || close_ || done_) return;
    reading_log_ = true;
    if (!behind_since_) behind_since_ = clock_type::now();
    auto budget = std::max<std::size_t>(64 << 10, state_->options.outbox_bytes > outbox_bytes_
                                                      ? state_->options.outbox_bytes - outbox_bytes_
                                                      : 0);
    auto& ctx = state_->router.context();
    ctx.run_blocking([self = shared(), from = next_seq_, budget, &ctx] {
        std::vector<frame_ptr> frames;
        auto cursor = ctx.log.read_stream(self->session_, engine::seq{from});
        engine::event e;
        std::size_t bytes = 0;
        bool at_end = false;
        boost::system::error_code ec;
        while (bytes < budget && frames.size() < 4096) {
            auto r = cursor.next(e);
            if (!r) {
                ec = r.error();
                break;
            }
            if (!*r) {
                at_end = true;
                break;
            }
            frames.push_back(
                std::make_shared<const live_frame>(live_frame{e.seq.value, frame_text(e)}));
            bytes += frames.back()->text.size();
        }
        asio::post(self->ws_.get_executor(),
                   [self, frames = std::move(frames), at_end, ec]() mutable {
                       self->on_log_read(std::move(frames), at_end, ec);
                   });
    });
}

void live_connection::on_log_read(std::vector<frame_ptr> frames, bool at_end,
                                  boost::system::error_code ec) {
    reading_log_ = false;
    if (close_ || done_) return;
    if (ec) return close_with(websocket::close_code::internal_error, "cannot read the log");
    for (auto& f : frames) {
        if (f->seq != next_seq_) continue;
        enqueue(std::move(f));
        ++next_seq_;
    }
    auto view = state_->router.context().store.session(session_);
    if (!view) {
        send_text(not_found_message(session_));
        return close_with(4404, "session not found");
    }
    // The store is folded before the hub delivers: if it is not past us, no
    // commit can slip between this check and the frames still to come.
    if (at_end && view->last_seq < next_seq_) {
        live_ = true;
        behind_since_.reset();
        return;
    }
    check_lag();
    if (room()) read_from_log();
}

// Behind for longer than lag_timeout: close 4008; if the client does not
// even take the close, cut the connection.
void live_connection::check_lag() {
    auto limit = state_->options.lag_timeout;
    if (limit.count() == 0 || !behind_since_ || clock_type::now() - *behind_since_ < limit) return;
    outbox_.clear();
    outbox_bytes_ = 0;
    close_with(4008, "lagging");
    lag_guard_.expires_after(std::chrono::seconds(5));
    lag_guard_.async_wait([self = shared()](boost::system::error_code ec) {
        if (ec) return;
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
}

void live_connection::handle_message(std::string_view text) {
    thread_local engine::message_validator validator;
    auto v = validator.validate(text);
    if (auto* err = std::get_if<engine::validation_error>(&v))
        return send_text(error_message(engine::code_name(err->code), err->message));
    auto& m = std::get<engine::validated_message>(v);
    engine::append_request r;
    r.stream = session_;
    r.type = m.type;
    r.author = user_.username;
    r.client_id = m.client_id;
    r.payload = std::move(m.payload);
    r.packed_pose = std::move(m.packed_pose);
    std::vector<engine::append_request> one;
    one.push_back(std::move(r));
    auto start = clock_type::now();
    state_->router.context().log.append_async(
        std::move(one), [c = context_bound<std::shared_ptr<live_connection>>{state_->io, shared()},
                         id = m.client_id, start](auto result) mutable {
            c.held->state_->stats.append_done(
                1, std::chrono::duration<double>(clock_type::now() - start).count());
            c.held->appended(std::move(id), std::move(result));
        });
}

void live_connection::appended(std::string client_id, append_outcome r) {
    bool first;
    {
        std::lock_guard lock(appended_mutex_);
        first = appended_.empty();
        appended_.push_back({std::move(client_id), std::move(r)});
    }
    if (first) asio::post(ws_.get_executor(), [self = shared()] { self->on_acks(); });
}

void live_connection::on_acks() {
    std::vector<append_done> done;
    {
        std::lock_guard lock(appended_mutex_);
        done.swap(appended_);
    }
    bool flush = false;
    for (auto& d : done)
        flush |= on_appended(std::move(d.client_id), std::move(d.outcome));
    if (flush) ws_.next_layer().flush();
}

bool live_connection::on_appended(std::string client_id, append_outcome r) {
    if (done_) return false;
    if (!r && r.error() == engine::errc::stream_purged) {
        send_text(not_found_message(session_));
        close_with(4404, "session not found");
        return false;
    }
    if (!r) {
        state_->stats.append_failed();
        send_text(error_message("append_failed", "The event log could not store the message: " +
                                                     r.error().message() + "."));
        return false;
    }
    if (client_id.empty()) return false;
    auto seq = r->front().seq.value;
    std::string ack = "{\"type\":\"ack\",\"id\":";
    engine::append_json_string(ack, client_id);
    ack += fmt::format(",\"seq\":{}}}", seq);
    auto& out = ws_.next_layer();
    if (!writes_directly() || out.pending() >= write_batch_bytes) {
        send_text(std::move(ack));
        return false;
    }
    // The hub is batching and this client's next event is the one acked:
    // its frame and the ack go out in one write, rather than the ack now
    // and the frame with the batch.
    if (seq == next_seq_) {
        if (auto f = state_->hub->waiting_frame(session_, seq)) {
            out.append_text(f->text);
            ++next_seq_;
        }
    }
    out.append_text(ack);
    return true;
}

}  // namespace

asio::awaitable<void> serve_live(ws_stream ws, std::shared_ptr<shared_state> state,
                                 projections::user_view user, engine::entity_id session,
                                 std::optional<std::uint64_t> after_seq) {
    auto c = std::make_shared<live_connection>(std::move(ws), std::move(state), std::move(user),
                                               session);
    co_await c->run(after_seq);
}

}  // namespace belay::transport
