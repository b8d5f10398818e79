#include "clients.hpp"

#include <charconv>
#include <memory>

namespace belay::bench::net {

bool is_event(std::string_view type) {
    return type.ends_with("_updated") || type == "session_created";
}

void viewer::on_message(std::string_view text, std::int64_t now) {
    auto m = scan(text, old);
    if (!is_event(m.type)) return;
    std::uint64_t k = 0;
    if (old) {
        if (!m.key) return;
        k = *m.key;
    } else {
        if (!m.seq || *m.seq < base) return;
        k = *m.seq - base;
    }
    if (k != expected) ++disorder;
    expected = k + 1;
    received.fetch_add(1, std::memory_order_relaxed);
    if (auto sent = times->get(k); sent > 0)
        by_send.add(sent - run_start->load(std::memory_order_relaxed), now - sent);
}

void publisher::on_message(std::string_view text, std::int64_t now) {
    auto m = scan(text, old);
    std::optional<std::uint64_t> k;
    if (m.type == "ack" && !old) {
        std::uint64_t n = 0;
        auto [end, ec] = std::from_chars(m.id.data(), m.id.data() + m.id.size(), n);
        if (ec == std::errc{}) k = n;
    } else if (old && m.key && m.type == "pose_updated") {
        k = *m.key;  // the old protocol: our own echo stands for the ack
    } else if (m.type == "error") {
        errors.fetch_add(1, std::memory_order_relaxed);
    }
    if (!k || *k >= sent_at.size()) return;
    ack_lat.add(now - sent_at[*k]);
    acked.fetch_add(1, std::memory_order_relaxed);
    if (inflight) --inflight;
}

bool publisher::due(std::int64_t now, std::int64_t& wake_at) {
    wake_at = INT64_MAX;
    if (done) return false;
    auto stop = stop_us.load();
    if (now >= stop) {
        done = true;
        return false;
    }
    auto start = start_us.load();
    if (rate > 0) {
        auto at = start + static_cast<std::int64_t>(static_cast<double>(k_) * 1e6 / rate);
        if (now >= at) return true;
        wake_at = std::min(at, stop);
        return false;
    }
    if (now < start) {
        wake_at = std::min(start, stop);
        return false;
    }
    return inflight < window;
}

void publisher::next_message(std::int64_t now, std::string& out) {
    if (!poses_) poses_ = std::make_unique<pose_builder>(landmarks);
    auto id = old ? std::string{} : std::to_string(k_);
    bool climb = climb_every && k_ % climb_every == climb_every - 1;
    if (climb)
        out = climb_message(10, done_holds_++ % 11, id);
    else
        poses_->build(k_, id, out);
    sent_at.push_back(now);
    if (times) times->set(k_, now);
    ++inflight;
    sent.store(++k_, std::memory_order_relaxed);
}

}  // namespace belay::bench::net
