#include "belay/replay/timeline.hpp"

#include <algorithm>

namespace belay::replay {

namespace {
constexpr std::uint64_t mark_every = 1024;
}

void offset_tracker::resume(std::int64_t time_us, std::int64_t offset) {
    started_ = true;
    time_us_ = time_us;
    offset_ = offset;
}

std::int64_t offset_tracker::next(std::int64_t time_us) {
    if (started_) {
        auto gap = std::max<std::int64_t>(0, time_us - time_us_);
        if (max_gap_us_) gap = std::min(gap, *max_gap_us_);
        offset_ += gap;
    }
    started_ = true;
    time_us_ = time_us;
    return offset_;
}

timeline::timeline(engine::event_log& log, engine::session_id session,
                   std::optional<std::int64_t> max_gap_us)
    : log_(log), session_(session), max_gap_us_(max_gap_us) {}

template <class Before, class Match>
engine::result<timeline::found> timeline::scan(Before before, Match match) {
    std::lock_guard lock(mutex_);
    // The last mark still before the target (marks are in every order at once:
    // seq, offset and pose count all grow together).
    auto it = std::partition_point(marks_.begin(), marks_.end(), before);
    offset_tracker offsets(max_gap_us_);
    mark m;
    engine::seq from{1};
    if (it != marks_.begin()) {
        m = *std::prev(it);
        from = engine::seq{m.seq};
    }
    bool resumed = it != marks_.begin();
    std::uint64_t poses = resumed ? m.poses_before : 0;  // pose frames before the next event
    auto cursor = log_.read_stream(session_, from);
    engine::event e;
    found out;
    for (bool first = true;; first = false) {
        auto r = cursor.next(e);
        if (!r) return r.error();
        if (!*r) return out;
        mark here{e.seq.value, e.recv_time_us, 0, poses};
        if (first && resumed) {
            here.offset = m.offset;  // the mark's own event
            offsets.resume(m.time_us, m.offset);
        } else {
            here.offset = offsets.next(e.recv_time_us);
        }
        bool pose = e.type == engine::event_type::pose_updated;
        poses += pose ? 1 : 0;
        if (marks_.empty() ? first && !resumed : here.seq == marks_.back().seq + mark_every)
            marks_.push_back(here);
        out.at = here;
        if (match(here, pose)) {
            out.hit = true;
            return out;
        }
    }
}

engine::result<std::int64_t> timeline::offset_of(engine::seq s) {
    auto r = scan([&](const mark& m) { return m.seq <= s.value; },
                  [&](const mark& m, bool) { return m.seq >= s.value; });
    if (!r) return r.error();
    return r->at.offset;
}

engine::result<engine::seq> timeline::seq_at_offset(std::int64_t offset_us) {
    auto r = scan([&](const mark& m) { return m.offset < offset_us; },
                  [&](const mark& m, bool) { return m.offset >= offset_us; });
    if (!r) return r.error();
    return engine::seq{r->hit ? r->at.seq : r->at.seq + 1};
}

engine::result<engine::seq> timeline::seq_of_pose_frame(std::uint64_t n) {
    auto r = scan([&](const mark& m) { return m.poses_before <= n; },
                  [&](const mark& m, bool pose) { return pose && m.poses_before == n; });
    if (!r) return r.error();
    return engine::seq{r->hit ? r->at.seq : r->at.seq + 1};
}

}  // namespace belay::replay
