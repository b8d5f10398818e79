#include "live_hub.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "belay/engine/payloads.hpp"

namespace belay::transport {

std::string frame_text(const engine::event& e, std::int64_t offset_ms) {
    std::string out = fmt::format(R"({{"type":"{}","session_id":"{}","seq":{},"ts":"{}")",
                                  engine::to_string(e.type), e.stream.to_string(), e.seq.value,
                                  engine::format_time_us(e.recv_time_us));
    if (offset_ms >= 0) out += fmt::format(",\"offset_ms\":{}", offset_ms);
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
    std::lock_guard lock(mutex_);
    closed_ = true;
    sessions_.clear();
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
        for (auto& t : targets)
            t->deliver(frame);
    }
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
