#pragma once
// Every projection in memory: sessions, recordings, routes and users, folded
// from the log in commit order. The REST views read from it.
//
// Thread safety: apply() takes an exclusive lock, queries a shared one; all
// members may be called from any thread. Queries return copies.

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "belay/engine/event.hpp"
#include "belay/projections/views.hpp"

namespace belay::projections {

struct session_filter {
    std::optional<std::string> user;  // nullopt: every user's (admins)
    std::optional<std::string> status;
    std::optional<entity_id> route;
    std::size_t offset = 0;
    std::size_t limit = SIZE_MAX;
};

template <class T>
struct page {
    std::vector<T> items;
    std::size_t total = 0;  // matching items before offset and limit
};

class state_store {
  public:
    // Folds committed events, in log order.
    void apply(const std::vector<engine::event>& events);
    void apply(const engine::event& e);
    // The position of the last event applied.
    engine::log_position position() const;
    // Records that the store reflects the log up to `p` (events past its
    // last applied one were purged). Never moves backwards.
    void advance_to(engine::log_position p);
    // Empties the store.
    void clear();

    std::optional<session_view> session(entity_id id) const;
    // Newest first (by creation).
    page<session_view> sessions(const session_filter& filter) const;
    std::optional<recording_view> recording(entity_id id) const;
    // Newest first; a user's own, or everyone's for nullopt.
    page<recording_view> recordings(const std::optional<std::string>& user, std::size_t offset,
                                    std::size_t limit) const;
    std::vector<entity_id> recordings_of_session(entity_id session) const;
    std::optional<route_view> route(entity_id id) const;
    page<route_view> routes(std::size_t offset, std::size_t limit) const;
    std::optional<user_view> user_by_name(const std::string& username) const;
    std::optional<user_view> user_by_token_hash(const std::string& sha256_hex) const;
    std::size_t user_count() const;
    std::size_t session_count() const;

    // Events that did not fold (a payload that does not parse, an update of
    // something unknown). Counted, not fatal.
    std::uint64_t skipped_events() const;

    // The whole state as bytes (checkpoints) and back. deserialize replaces
    // the state; false if the bytes are not a checkpoint of this format.
    std::string serialize() const;
    [[nodiscard]] bool deserialize(std::string_view bytes);

  private:
    void apply_locked(const engine::event& e);
    void clear_locked();
    void erase_session(entity_id id);
    void erase_recording(entity_id id);

    mutable std::shared_mutex mutex_;
    engine::log_position position_;
    std::uint64_t skipped_ = 0;
    std::unordered_map<entity_id, session_view> sessions_;
    std::map<std::pair<std::int64_t, entity_id>, entity_id> session_order_;  // (created, id)
    std::unordered_map<entity_id, recording_view> recordings_;
    std::map<std::pair<std::int64_t, entity_id>, entity_id> recording_order_;
    std::unordered_map<entity_id, route_view> routes_;
    std::map<std::pair<std::int64_t, entity_id>, entity_id> route_order_;
    std::unordered_map<entity_id, user_view> users_;
    std::unordered_map<std::string, entity_id> users_by_name_;
    std::unordered_map<std::string, entity_id> users_by_token_;
};

}  // namespace belay::projections
