#include "belay/projections/rebuild.hpp"

#include <chrono>

namespace belay::projections {
namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

// Applies everything the cursor yields, a batch at a time.
engine::result<std::uint64_t> apply_all(state_store& store, engine::log_cursor cursor) {
    std::vector<engine::event> batch(1024);
    std::uint64_t applied = 0;
    for (;;) {
        std::size_t n = 0;
        for (; n < batch.size(); ++n) {
            auto r = cursor.next(batch[n]);
            if (!r) return r.error();
            if (!*r) break;
        }
        if (n == 0) return applied;
        if (n == batch.size()) {
            store.apply(batch);
        } else {
            std::vector<engine::event> tail(std::make_move_iterator(batch.begin()),
                                            std::make_move_iterator(batch.begin() + n));
            store.apply(tail);
            return applied + n;
        }
        applied += n;
    }
}

}  // namespace

engine::result<restore_report> rebuild(state_store& store, engine::event_log& log) {
    auto start = clock_type::now();
    store.clear();
    auto last = log.last_position();
    auto applied = apply_all(store, log.read_log());
    if (!applied) return applied.error();
    // Deletion tombstones live in their own stream: fold them again now that
    // everything is in (deleted sessions and recordings are purged, and a
    // tombstone follows what it deletes, but this keeps rebuild correct
    // whatever a tombstone names).
    auto deletions = apply_all(store, log.read_stream(engine::deletions_stream()));
    if (!deletions) return deletions.error();
    store.advance_to(last);
    restore_report report;
    report.events_applied = *applied;
    report.seconds = seconds_since(start);
    return report;
}

engine::result<restore_report> restore(state_store& store, engine::event_log& log) {
    auto start = clock_type::now();
    auto c = log.read_checkpoint(checkpoint_name);
    if (!c) return c.error();
    if (!*c || !store.deserialize((*c)->bytes) || store.position() != (*c)->position)
        return rebuild(store, log);
    restore_report report;
    report.from_checkpoint = true;
    report.checkpoint_position = (*c)->position;
    auto applied = apply_all(store, log.read_log((*c)->position));
    if (!applied) return applied.error();
    report.events_applied = *applied;
    report.seconds = seconds_since(start);
    return report;
}

engine::result<void> save_checkpoint(const state_store& store, engine::event_log& log) {
    auto bytes = store.serialize();
    return log.write_checkpoint(checkpoint_name, {store.position(), std::move(bytes)});
}

}  // namespace belay::projections
