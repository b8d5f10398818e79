#pragma once
// Where a recorded session's events sit in time: the offset of each event
// from the session's first (each gap capped by ?max_gap_ms), and the way
// back from an offset or a pose frame number to a seq. Seeks use it.
//
// It reads the session's stream from the log and keeps a mark every 1,024
// events (seq, time, offset, pose frames before), so a lookup reads at most
// that many events past the nearest mark once the marks cover the place;
// marks are added as lookups read further. A stream still being written is
// fine: lookups past the last mark read on.
//
// Threads: every member may block on RocksDB reads (call it off the I/O
// threads); concurrent calls are serialised.

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "belay/engine/errc.hpp"
#include "belay/engine/event_log.hpp"

namespace belay::replay {

// The offsets of consecutive events: time since the first, each gap capped
// at max_gap_us (and never negative: clocks may step back).
class offset_tracker {
  public:
    explicit offset_tracker(std::optional<std::int64_t> max_gap_us) : max_gap_us_(max_gap_us) {}
    // Continues after an event recorded at `time_us` whose offset was `offset`.
    void resume(std::int64_t time_us, std::int64_t offset);
    // The offset of the next event, recorded at `time_us` (the first: 0).
    std::int64_t next(std::int64_t time_us);

  private:
    std::optional<std::int64_t> max_gap_us_;
    bool started_ = false;
    std::int64_t time_us_ = 0, offset_ = 0;
};

class timeline {
  public:
    timeline(engine::event_log& log, engine::session_id session,
             std::optional<std::int64_t> max_gap_us);

    // The offset (µs) of the event at seq `s`; past the end, the last event's.
    engine::result<std::int64_t> offset_of(engine::seq s);
    // The first event at or after offset `offset_us`; past the end, the seq
    // after the last event.
    engine::result<engine::seq> seq_at_offset(std::int64_t offset_us);
    // The event of the `n`-th pose frame (0: the first); past the end, the
    // seq after the last event.
    engine::result<engine::seq> seq_of_pose_frame(std::uint64_t n);

  private:
    struct mark {
        std::uint64_t seq = 0;
        std::int64_t time_us = 0;
        std::int64_t offset = 0;
        std::uint64_t poses_before = 0;  // pose frames with a smaller seq
    };
    struct found {
        bool hit = false;  // false: the stream ended first
        mark at;           // the event that matched, or the last one read
    };
    // Reads from the last mark for which `before(mark)` holds (or the start)
    // until `match(event's mark)`, adding marks on the way.
    template <class Before, class Match>
    engine::result<found> scan(Before before, Match match);

    engine::event_log& log_;
    engine::session_id session_;
    std::optional<std::int64_t> max_gap_us_;
    std::mutex mutex_;
    std::vector<mark> marks_;
};

}  // namespace belay::replay
