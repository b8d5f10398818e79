#include "fake_wall.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "belay/engine/event.hpp"

namespace belay::cli::fake {
namespace {

constexpr int max_failures_in_row = 8;

std::chrono::milliseconds backoff(int failures) {
    return std::chrono::milliseconds(std::min(2000, 100 << std::min(failures - 1, 5)));
}

}  // namespace

wall::wall(client::event_loop& loop, wall_options options, climb_plan plan,
           std::function<void()> on_end)
    : o_(std::move(options)),
      plan_(std::move(plan)),
      on_end_(std::move(on_end)),
      connection_(loop, {.on_open = [this] { on_open(); },
                         .on_message = [this](std::string_view text) { on_message(text); },
                         .on_close = [this](const client::ws_close& c) { on_close(c); }}),
      tick_(loop),
      retry_(loop),
      drain_(loop),
      states_(plan_.holds().size(), hold_state::untouched),
      state_times_(plan_.holds().size(), 0.0) {
    if (o_.pose_hz > 0)
        frames_ = static_cast<std::size_t>(std::ceil(plan_.duration() * o_.pose_hz - 1e-9));
}

void wall::start() {
    connect();
}

void wall::connect() {
    connection_.connect(o_.server, client::live_target(o_.server, o_.session_id, o_.token));
}

double wall::played_s() const {
    if (!started_) return 0;
    return std::min(plan_.duration(),
                    std::chrono::duration<double>(client::clock_type::now() - t0_).count());
}

std::string wall::time_at(double at_s) const {
    return engine::format_time_us(start_us_ + static_cast<std::int64_t>(at_s * 1e6));
}

void wall::on_open() {
    failures_in_row_ = 0;
    refused_ = 0;
    if (!started_) {
        started_ = true;
        t0_ = client::clock_type::now();
        start_us_ = engine::now_us();
        tick();
        return;
    }
    ++stats_.reconnects;
    for (const auto& [n, text] : unacked_) {
        connection_.send(text);
        ++stats_.resent;
    }
    pump();
    maybe_close();
}

// Emits everything the climb has reached by now, then sleeps until the next.
void wall::tick() {
    if (done_) return;
    const double now_s = std::chrono::duration<double>(client::clock_type::now() - t0_).count();
    if (stats_.planned == 0) {
        emit("session_update", fmt::format(R"("status":"started","start_time":"{}")", time_at(0)));
        emit_climb(0, "started", false);
    }
    const auto& changes = plan_.changes();
    while (!script_done_) {
        const double frame_at =
            next_frame_ < frames_ ? static_cast<double>(next_frame_) / o_.pose_hz : INFINITY;
        const double change_at =
            next_change_ < changes.size() ? changes[next_change_].at_s : INFINITY;
        const double next = std::min({frame_at, change_at, plan_.duration()});
        if (next > now_s) {
            tick_.wait_until(t0_ + std::chrono::duration_cast<client::clock_type::duration>(
                                       std::chrono::duration<double>(next)),
                             [this] { tick(); });
            break;
        }
        if (change_at <= frame_at && change_at < INFINITY) {
            const auto& c = changes[next_change_++];
            states_[c.hold] = c.state;
            state_times_[c.hold] = c.at_s;
            emit_climb(c.at_s, "started", false);
        } else if (frame_at < INFINITY) {
            emit_pose(frame_at);
            ++next_frame_;
        } else {
            emit_climb(plan_.duration(), "completed", true);
            emit("session_update",
                 fmt::format(R"("status":"completed","end_time":"{}")", time_at(plan_.duration())));
            script_done_ = true;
            drain_.wait_for(o_.drain_timeout, [this] {
                fail(fmt::format("{} messages not acknowledged {} s after the climb",
                                 unacknowledged(), o_.drain_timeout.count()));
            });
        }
    }
    pump();
    maybe_close();
}

void wall::emit(std::string_view type, const std::string& members) {
    auto n = ++next_id_;
    queued_.emplace_back(
        n, fmt::format(R"({{"type":"{}","id":"{}{}",{}}})", type, o_.id_prefix, n, members));
    ++stats_.planned;
}

void wall::emit_climb(double at_s, std::string_view status, bool ended) {
    text_.clear();
    auto out = std::back_inserter(text_);
    fmt::format_to(out, R"("climb":{{"holds":[)");
    const auto& holds = plan_.holds();
    for (std::size_t i = 0; i < holds.size(); ++i) {
        fmt::format_to(out, R"({}{{"id":{},"type":"{}","status":"{}","time":)", i ? "," : "",
                       holds[i].id, holds[i].type, to_string(states_[i]));
        if (states_[i] == hold_state::untouched)
            fmt::format_to(out, "null}}");
        else
            fmt::format_to(out, R"("{}"}})", time_at(state_times_[i]));
    }
    fmt::format_to(out, R"(],"startTime":"{}","endTime":)", time_at(0));
    if (ended)
        fmt::format_to(out, R"("{}")", time_at(at_s));
    else
        fmt::format_to(out, "null");
    fmt::format_to(out, R"(,"status":"{}"}})", status);
    emit("climb_update", text_);
}

void wall::emit_pose(double at_s) {
    plan_.pose_at(at_s, pose_);
    text_.assign(R"("pose":[)");
    auto out = std::back_inserter(text_);
    for (std::size_t i = 0; i < pose_.size(); ++i) {
        const auto& l = pose_[i];
        fmt::format_to(out, R"({}{{"x":{:.4f},"y":{:.4f},"z":{:.4f},"visibility":{:.3f}}})",
                       i ? "," : "", l.x, l.y, l.z, l.visibility);
    }
    text_.push_back(']');
    emit("pose_update", text_);
}

// Sends queued messages while the window has room. Refused messages are
// never acknowledged: they do not hold a place in it.
void wall::pump() {
    while (connection_.is_open() && !queued_.empty() &&
           unacked_.size() - std::min(refused_, unacked_.size()) < o_.window) {
        auto& [n, text] = queued_.front();
        connection_.send(text);
        unacked_.emplace(n, std::move(text));
        queued_.pop_front();
        ++stats_.sent;
    }
}

void wall::on_message(std::string_view text) {
    if (done_) return;
    if (!reader_.read(text, message_)) {
        ++stats_.errors;
        if (o_.report)
            o_.report(fmt::format("session {}: unreadable message from the server: {:.80}",
                                  o_.session_id, text));
        return;
    }
    switch (message_.kind) {
        case client::message_kind::ack: {
            const auto& id = message_.id;
            std::uint64_t n = 0;
            if (id.starts_with(o_.id_prefix)) {
                const char* first = id.data() + o_.id_prefix.size();
                std::from_chars(first, id.data() + id.size(), n);
            }
            if (unacked_.erase(n) > 0) ++stats_.acked;
            break;
        }
        case client::message_kind::error:
            ++stats_.errors;
            ++refused_;
            if (o_.report)
                o_.report(fmt::format("session {}: error {}: {}", o_.session_id, message_.code,
                                      message_.message));
            break;
        case client::message_kind::event:
            ++stats_.echoed;
            return;
        default:
            return;
    }
    pump();
    maybe_close();
}

void wall::on_close(const client::ws_close& c) {
    if (closing_) {  // our close, after the last ack
        finished_ = true;
        return end();
    }
    if (done_) return;
    switch (c.code) {
        case 4401:
            return fail("the server refused the token (close 4401)");
        case 4404:
            return fail("session not found (close 4404)");
        case 4429:
            return fail("too many live connections for this user (close 4429)");
        case 1003:
        case 1008:
        case 1009:
            return fail("the server closed the connection: " + c.describe());
        default:
            break;
    }
    if (c.http_status != 0) return fail(c.describe());
    if (++failures_in_row_ > max_failures_in_row)
        return fail("cannot connect to " + o_.server.to_string() + ": " + c.describe());
    if (o_.report && failures_in_row_ == 1 && started_)
        o_.report(fmt::format("session {}: connection lost ({}), reconnecting", o_.session_id,
                              c.describe()));
    retry_.wait_for(backoff(failures_in_row_), [this] { connect(); });
}

// Closes once the climb is over and every message is acknowledged or refused.
void wall::maybe_close() {
    if (!script_done_ || closing_ || done_ || !queued_.empty() || unacked_.size() > refused_)
        return;
    if (!connection_.is_open()) return;  // a reconnect resends what is left
    closing_ = true;
    drain_.cancel();
    connection_.close(1000);
}

void wall::fail(std::string why) {
    if (done_) return;
    failure_ = std::move(why);
    connection_.close(1000);
    end();
}

void wall::end() {
    done_ = true;
    tick_.cancel();
    retry_.cancel();
    drain_.cancel();
    if (on_end_) on_end_();
}

}  // namespace belay::cli::fake
