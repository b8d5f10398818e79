#include "belay/replay/pacer.hpp"

#include <algorithm>
#include <cmath>

namespace belay::replay {

pacer::pacer(double speed, bool paused, std::int64_t now)
    : speed_(std::max(0.0, speed)), paused_(paused), anchor_now_(now), anchor_offset_(0) {}

std::int64_t pacer::position(std::int64_t now) const {
    if (paused_ || speed_ == 0) return anchor_offset_;
    auto played = static_cast<double>(now - anchor_now_) * speed_;
    return anchor_offset_ + static_cast<std::int64_t>(std::llround(played));
}

std::optional<std::int64_t> pacer::wait_for(std::int64_t offset, std::int64_t now) const {
    if (paused_) return std::nullopt;
    if (speed_ == 0) return 0;
    auto ahead = offset - position(now);
    if (ahead <= 0) return 0;
    return static_cast<std::int64_t>(std::ceil(static_cast<double>(ahead) / speed_));
}

void pacer::pause(std::int64_t now) {
    if (paused_) return;
    anchor_offset_ = position(now);
    anchor_now_ = now;
    paused_ = true;
}

void pacer::play(std::int64_t now) {
    if (!paused_) return;
    anchor_now_ = now;
    paused_ = false;
}

void pacer::set_speed(double speed, std::int64_t now) {
    anchor_offset_ = position(now);
    anchor_now_ = now;
    speed_ = std::max(0.0, speed);
}

void pacer::seek(std::int64_t offset, std::int64_t now) {
    anchor_offset_ = std::max<std::int64_t>(0, offset);
    anchor_now_ = now;
}

void pacer::reached(std::int64_t offset, std::int64_t now) {
    if (position(now) >= offset) return;
    anchor_offset_ = offset;
    anchor_now_ = now;
}

}  // namespace belay::replay
