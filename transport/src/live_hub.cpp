#include "live_hub.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "belay/engine/payloads.hpp"

namespace belay::transport {

std::string frame_text(const engine::event& e, std::int64_t offset_ms) {
    // Built by hand: this runs once per event per replay, and for every live
    // event with subscribers.
    std::string out;
    out.reserve(128 + e.payload.size());
    out += R"({"type":")";
    out += engine::to_string(e.type);
    out += R"(","session_id":")";
    e.stream.append_to(out);
    out += R"(","seq":)";
    char digits[24];
    auto number = [&](std::int64_t v) {
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
        out.append(digits, end);
    };
    number(static_cast<std::int64_t>(e.seq.value));
    out += R"(,"ts":")";
    engine::append_time_us(out, e.recv_time_us);
    out.push_back('"');
    if (offset_ms >= 0) {
        out += R"(,"offset_ms":)";
        number(offset_ms);
    }
    // The payload is a JSON object: its members follow ours.
    if (e.payload.size() > 2) {
        out.push_back(',');
        out.append(e.payload, 1, std::string::npos);
    } else {
        out.push_back('}');
    }
    return out;
}

void live_hub::attach(engine::session_id session, const std::shared_ptr<live_subscriber>& s) {
    std::lock_guard lock(mutex_);
    if (!closed_) sessions_[session].push_back(s);
}

void live_hub::close() {
    // Waits out a delivery in progress: once closed, the writer thread holds
    // no subscriber and posts nothing to the context, which may then go.
    std::lock_guard delivering(delivery_mutex_);
    std::lock_guard lock(mutex_);
    closed_ = true;
    sessions_.clear();
    batches_.clear();
    // A tick still queued in the context holds the hub, and the hub held the
    // context: let go of it, so the context (and that tick) can be freed.
    tick_.reset();
    io_.reset();
}

void live_hub::detach(engine::session_id session, const live_subscriber* s) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    auto& subs = it->second;
    subs.erase(std::remove_if(subs.begin(), subs.end(),
                              [&](const std::weak_ptr<live_subscriber>& w) {
                                  auto p = w.lock();
                                  return !p || p.get() == s;
                              }),
               subs.end());
    if (subs.empty()) sessions_.erase(it);
}

void live_hub::on_commit(const std::vector<engine::event>& events) {
    static const auto deletions = engine::deletions_stream();
    std::lock_guard delivering(delivery_mutex_);
    if (closed_) return;
    std::vector<std::shared_ptr<live_subscriber>> targets;
    for (const auto& e : events) {
        targets.clear();
        bool deleted = e.stream == deletions && e.type == engine::event_type::session_deleted;
        auto session = deleted ? engine::parse_deletion(e.payload) : e.stream;
        if (!session) continue;
        {
            std::lock_guard lock(mutex_);
            auto it = sessions_.find(*session);
            if (it == sessions_.end()) continue;
            for (auto& w : it->second)
                if (auto p = w.lock()) targets.push_back(std::move(p));
            if (deleted) sessions_.erase(it);
        }
        if (deleted) {
            for (auto& t : targets)
                t->session_gone();
            continue;
        }
        if (targets.empty()) continue;
        auto frame = std::make_shared<const live_frame>(live_frame{e.seq.value, frame_text(e)});
        count_deliveries(targets.size());
        if (batch_delay_.count() > 0) {
            std::lock_guard lock(mutex_);
            // A session with a batch waiting keeps batching, so order holds.
            auto waiting = batches_.find(*session);
            if (waiting != batches_.end() || busy()) {
                if (waiting == batches_.end()) waiting = batches_.try_emplace(*session).first;
                waiting->second.push_back(std::move(frame));
                if (!tick_armed_ && !closed_) {
                    tick_armed_ = true;
                    boost::asio::post(*io_, [self = shared_from_this()] {
                        self->tick_->expires_after(self->batch_delay_);
                        self->tick_->async_wait([self](boost::system::error_code ec) {
                            if (!ec) self->hand_out();
                        });
                    });
                }
                continue;
            }
        }
        for (auto& t : targets)
            t->deliver(frame);
    }
}

void live_hub::batch_on(std::shared_ptr<boost::asio::io_context> io,
                        std::chrono::milliseconds delay, double above) {
    io_ = std::move(io);
    batch_delay_ = delay;
    busy_above_ = above;
    tick_ = std::make_unique<boost::asio::steady_timer>(*io_);
}

void live_hub::hand_out() {
    // Under the lock throughout: on_commit delivers a session's next frame
    // directly only once its batch has been handed out, so order holds.
    std::lock_guard lock(mutex_);
    tick_armed_ = false;
    for (auto& [session, frames] : batches_) {
        auto it = sessions_.find(session);
        if (it == sessions_.end()) continue;
        auto batch = std::make_shared<const std::vector<frame_ptr>>(std::move(frames));
        for (auto& w : it->second)
            if (auto p = w.lock()) p->deliver_batch(batch);
    }
    batches_.clear();
}

frame_ptr live_hub::waiting_frame(engine::session_id session, std::uint64_t seq) const {
    std::lock_guard lock(mutex_);
    auto it = batches_.find(session);
    if (it == batches_.end()) return nullptr;
    // A batch is in seq order, and an ack comes soon after its commit: look
    // from the back.
    for (auto f = it->second.rbegin(); f != it->second.rend(); ++f) {
        if ((*f)->seq == seq) return *f;
        if ((*f)->seq < seq) break;
    }
    return nullptr;
}

void live_hub::count_deliveries(std::size_t n) {
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    window_deliveries_ += n;
    auto elapsed = now - window_start_us_;
    if (elapsed < window_us) {
        // Past a whole window's worth already: busy now, not at the window's
        // end (a fan-out to 1,000 sockets would otherwise spend its first
        // tenth of a second posting every frame to every socket).
        if (static_cast<double>(window_deliveries_) > busy_above_ * window_us / 1e6)
            busy_.store(true, std::memory_order_relaxed);
        return;
    }
    busy_.store(
        static_cast<double>(window_deliveries_) * 1e6 / static_cast<double>(elapsed) > busy_above_,
        std::memory_order_relaxed);
    window_start_us_ = now;
    window_deliveries_ = 0;
}

bool live_hub::add_connection(const std::string& user, std::size_t cap) {
    std::lock_guard lock(mutex_);
    auto& n = connections_[user];
    if (cap > 0 && n >= cap) return false;
    ++n;
    return true;
}

void live_hub::remove_connection(const std::string& user) {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(user);
    if (it != connections_.end() && --it->second == 0) connections_.erase(it);
}

void live_hub::stopping() {
    std::vector<std::shared_ptr<live_subscriber>> targets;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, subs] : sessions_)
            for (auto& w : subs)
                if (auto p = w.lock()) targets.push_back(std::move(p));
    }
    for (auto& t : targets)
        t->server_stopping();
}

std::size_t live_hub::subscribers() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (auto& [id, subs] : sessions_)
        n += subs.size();
    return n;
}

}  // namespace belay::transport
