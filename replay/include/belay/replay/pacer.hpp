#pragma once
// The timing of a replay: when each event of a recorded session is due,
// given its original timing scaled by a speed, pauses, seeks and a cap on
// the gaps between events (a player's "skip inactivity").
//
// Times are microseconds: `offset` is an event's time since the session's
// first event (after gap capping), `now` a monotonic clock the caller
// supplies (so the pacer is testable and owns no clock).
//
// Thread safety: none; one pacer per replay connection, used on its strand.

#include <cstdint>
#include <optional>

namespace belay::replay {

class pacer {
  public:
    // speed 0: as fast as the client reads. max_gap_us: cap on any pause
    // between two events (nullopt: none).
    pacer(double speed, std::optional<std::int64_t> max_gap_us, bool paused, std::int64_t now);

    // The capped offset of an event recorded `raw_gap_us` after the previous
    // one whose capped offset was `previous_offset` (0 for the first event).
    std::int64_t next_offset(std::int64_t previous_offset, std::int64_t raw_gap_us) const;

    // How long from `now` until the event at `offset` is due (0 if due);
    // nullopt while paused.
    std::optional<std::int64_t> wait_for(std::int64_t offset, std::int64_t now) const;

    // The playhead: the offset playing at `now`.
    std::int64_t position(std::int64_t now) const;

    void pause(std::int64_t now);
    void play(std::int64_t now);
    // Keeps the playhead where it is and plays on at the new speed.
    void set_speed(double speed, std::int64_t now);
    // Moves the playhead to `offset` (keeping paused or playing).
    void seek(std::int64_t offset, std::int64_t now);

    bool paused() const { return paused_; }
    double speed() const { return speed_; }

  private:
    double speed_;
    std::optional<std::int64_t> max_gap_us_;
    bool paused_;
    std::int64_t anchor_now_;     // when playback was last (re)anchored
    std::int64_t anchor_offset_;  // the playhead at that moment
};

}  // namespace belay::replay
