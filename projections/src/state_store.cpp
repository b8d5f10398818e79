#include "belay/projections/state_store.hpp"

#include <mutex>

#include "ordered_views.hpp"

namespace belay::projections {
namespace {

using detail::collect;
using detail::erase_ordered;
using detail::insert_ordered;
using engine::event_type;

}  // namespace

void state_store::apply(const std::vector<engine::event>& events) {
    std::unique_lock lock(mutex_);
    for (const auto& e : events)
        apply_locked(e);
}

void state_store::apply(const engine::event& e) {
    std::unique_lock lock(mutex_);
    apply_locked(e);
}

void state_store::apply_locked(const engine::event& e) {
    if (e.position > position_) position_ = e.position;
    bool folded = false;
    switch (e.type) {
        case event_type::session_created: {
            session_view v;
            if ((folded = projections::apply(v, e)))
                insert_ordered(sessions_, session_order_, std::move(v));
            break;
        }
        case event_type::session_updated:
        case event_type::climb_updated:
        case event_type::pose_updated: {
            auto it = sessions_.find(e.stream);
            folded = it != sessions_.end() && projections::apply(it->second, e);
            break;
        }
        case event_type::session_deleted:
        case event_type::recording_deleted:
        case event_type::route_deleted: {
            auto id = engine::parse_deletion(e.payload);
            if ((folded = id.has_value())) {
                if (e.type == event_type::session_deleted) erase_session(*id);
                if (e.type == event_type::recording_deleted) erase_recording(*id);
                if (e.type == event_type::route_deleted) erase_ordered(routes_, route_order_, *id);
            }
            break;
        }
        case event_type::recording_created:
        case event_type::recording_updated: {
            auto it = recordings_.find(e.stream);
            if (e.type == event_type::recording_created) {
                recording_view v;
                if ((folded = projections::apply(v, e)))
                    insert_ordered(recordings_, recording_order_, std::move(v));
            } else {
                folded = it != recordings_.end() && projections::apply(it->second, e);
            }
            break;
        }
        case event_type::route_created:
        case event_type::route_updated: {
            if (e.type == event_type::route_created) {
                route_view v;
                if ((folded = projections::apply(v, e)))
                    insert_ordered(routes_, route_order_, std::move(v));
            } else {
                auto it = routes_.find(e.stream);
                folded = it != routes_.end() && projections::apply(it->second, e);
            }
            break;
        }
        case event_type::user_deleted: {
            auto it = users_.find(e.stream);
            if ((folded = it != users_.end())) {
                users_by_name_.erase(it->second.username);
                users_by_token_.erase(it->second.token_sha256);
                users_.erase(it);
            }
            break;
        }
        case event_type::user_created:
        case event_type::user_updated: {
            auto& v = users_[e.stream];
            users_by_token_.erase(v.token_sha256);
            folded = projections::apply(v, e);
            if (v.username.empty()) {
                users_.erase(e.stream);
                break;
            }
            users_by_name_[v.username] = v.id;
            if (!v.token_sha256.empty()) users_by_token_[v.token_sha256] = v.id;
            break;
        }
    }
    if (!folded) ++skipped_;
}

void state_store::erase_session(entity_id id) {
    erase_ordered(sessions_, session_order_, id);
    std::vector<entity_id> orphans;
    for (auto& [rid, rv] : recordings_)
        if (rv.session == id) orphans.push_back(rid);
    for (auto r : orphans)
        erase_recording(r);
}

void state_store::erase_recording(entity_id id) {
    erase_ordered(recordings_, recording_order_, id);
}

engine::log_position state_store::position() const {
    std::shared_lock lock(mutex_);
    return position_;
}

void state_store::advance_to(engine::log_position p) {
    std::unique_lock lock(mutex_);
    if (p > position_) position_ = p;
}

void state_store::clear() {
    std::unique_lock lock(mutex_);
    clear_locked();
}

void state_store::clear_locked() {
    position_ = {};
    skipped_ = 0;
    sessions_.clear();
    session_order_.clear();
    recordings_.clear();
    recording_order_.clear();
    routes_.clear();
    route_order_.clear();
    users_.clear();
    users_by_name_.clear();
    users_by_token_.clear();
}

std::optional<session_view> state_store::session(entity_id id) const {
    std::shared_lock lock(mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    return it->second;
}

page<session_view> state_store::sessions(const session_filter& f) const {
    std::shared_lock lock(mutex_);
    return collect(sessions_, session_order_, true, f.offset, f.limit, [&](const session_view& v) {
        return (!f.user || v.user == *f.user) && (!f.status || v.status == *f.status) &&
               (!f.route || v.route == f.route);
    });
}

std::optional<recording_view> state_store::recording(entity_id id) const {
    std::shared_lock lock(mutex_);
    auto it = recordings_.find(id);
    if (it == recordings_.end()) return std::nullopt;
    return it->second;
}

page<recording_view> state_store::recordings(const std::optional<std::string>& user,
                                             std::size_t offset, std::size_t limit) const {
    std::shared_lock lock(mutex_);
    return collect(recordings_, recording_order_, true, offset, limit,
                   [&](const recording_view& v) { return !user || v.user == *user; });
}

std::vector<entity_id> state_store::recordings_of_session(entity_id session) const {
    std::shared_lock lock(mutex_);
    std::vector<entity_id> out;
    for (auto& [id, v] : recordings_)
        if (v.session == session) out.push_back(id);
    return out;
}

std::optional<route_view> state_store::route(entity_id id) const {
    std::shared_lock lock(mutex_);
    auto it = routes_.find(id);
    if (it == routes_.end()) return std::nullopt;
    return it->second;
}

page<route_view> state_store::routes(std::size_t offset, std::size_t limit) const {
    std::shared_lock lock(mutex_);
    return collect(routes_, route_order_, false, offset, limit,
                   [](const route_view&) { return true; });
}

std::optional<user_view> state_store::user_by_name(const std::string& username) const {
    std::shared_lock lock(mutex_);
    auto it = users_by_name_.find(username);
    if (it == users_by_name_.end()) return std::nullopt;
    return users_.at(it->second);
}

std::optional<user_view> state_store::user_by_token_hash(const std::string& sha256_hex) const {
    std::shared_lock lock(mutex_);
    auto it = users_by_token_.find(sha256_hex);
    if (it == users_by_token_.end()) return std::nullopt;
    return users_.at(it->second);
}

std::size_t state_store::user_count() const {
    std::shared_lock lock(mutex_);
    return users_.size();
}

std::size_t state_store::session_count() const {
    std::shared_lock lock(mutex_);
    return sessions_.size();
}

std::uint64_t state_store::skipped_events() const {
    std::shared_lock lock(mutex_);
    return skipped_;
}

}  // namespace belay::projections
