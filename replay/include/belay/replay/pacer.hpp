#pragma once
// The timing of a replay: when each event of a recorded session is due,
// given its offset (timeline.hpp: its time since the session's first event,
// gaps capped) scaled by a speed, across pauses, seeks and speed changes.
//
// Times are microseconds; `now` is a monotonic clock the caller supplies (so
// the pacer is testable and owns no clock).
//
// Thread safety: none; one pacer per replay connection, used on its strand.

#include <cstdint>
#include <optional>

namespace belay::replay {

class pacer {
  public:
    // speed 0: as fast as the client reads.
    pacer(double speed, bool paused, std::int64_t now);

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
    // An event at `offset` was sent: the playhead is at least there (it can
    // lag behind only at speed 0, where events go out as fast as read).
    void reached(std::int64_t offset, std::int64_t now);

    bool paused() const { return paused_; }
    double speed() const { return speed_; }

  private:
    double speed_;
    bool paused_;
    std::int64_t anchor_now_;     // when playback was last (re)anchored
    std::int64_t anchor_offset_;  // the playhead at that moment
};

}  // namespace belay::replay
