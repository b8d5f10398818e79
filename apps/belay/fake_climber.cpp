// The climber's plan and body. The hands go from hold to hold in climbing
// order, without crossing, the lower hand first; after each reach the feet step up onto holds
// the hands have left (or smear on the wall, or stay on the ground). The body
// hangs between the four limbs: the shoulders and hips are pulled until the
// arms and legs can reach, then elbows and knees are placed by two-bone IK.

#include "fake_climber.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace belay::cli::fake {
namespace {

// Body proportions in wall units: a 1.8 m climber on a 4 m wall.
constexpr double upper_arm = 0.08, forearm = 0.07, thigh = 0.11, shin = 0.105;
constexpr double torso = 0.135, shoulder_half = 0.055, hip_half = 0.04, neck = 0.065;
constexpr double ground = 0.985;      // the feet's y on the floor
constexpr double feet_below = 0.36;   // comfortable feet, below the lower hand
constexpr double foot_search = 0.07;  // how far from there a foothold may be

point operator+(point a, point b) {
    return {a.x + b.x, a.y + b.y};
}
point operator-(point a, point b) {
    return {a.x - b.x, a.y - b.y};
}
point operator*(point a, double k) {
    return {a.x * k, a.y * k};
}
double length(point a) {
    return std::hypot(a.x, a.y);
}
point lerp(point a, point b, double s) {
    return a + (b - a) * s;
}
double ease(double u) {
    return 0.5 - 0.5 * std::cos(std::numbers::pi * u);
}
double dot(point a, point b) {
    return a.x * b.x + a.y * b.y;
}

// Start holds left to right, then the others bottom to top, finishes last.
// The first `starts` entries are where the hands begin (the lowest holds
// when the route marks none as start).
std::vector<std::size_t> climbing_order(const std::vector<route_hold>& holds, std::size_t& starts) {
    std::vector<std::size_t> order(holds.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    auto rank = [&](std::size_t i) {
        const auto& t = holds[i].type;
        return t == "start" ? 0 : t == "finish" ? 2 : 1;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (rank(a) != rank(b)) return rank(a) < rank(b);
        if (rank(a) == 0) return holds[a].at.x < holds[b].at.x;
        return holds[a].at.y > holds[b].at.y;
    });
    starts = static_cast<std::size_t>(
        std::count_if(holds.begin(), holds.end(), [](auto& h) { return h.type == "start"; }));
    if (starts == 0) {
        starts = std::min<std::size_t>(2, order.size());
        std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(starts),
                  [&](std::size_t a, std::size_t b) { return holds[a].at.x < holds[b].at.x; });
    }
    return order;
}

// The middle joint of a two-bone limb from `root` towards `end` (moved
// within reach when too far), on the side `prefer` points to.
point bend(point root, point& end, double l1, double l2, point prefer) {
    point d = end - root;
    double len = std::max(length(d), 1e-6);
    const double reach = l1 + l2 - 1e-4, least = std::abs(l1 - l2) + 1e-4;
    if (len > reach || len < least) {
        const double want = std::clamp(len, least, reach);
        end = root + d * (want / len);
        d = end - root;
        len = want;
    }
    const point u = d * (1 / len), n{-u.y, u.x};
    const double a = (l1 * l1 - l2 * l2 + len * len) / (2 * len);
    const double h = std::sqrt(std::max(0.0, l1 * l1 - a * a));
    const point c1 = root + u * a + n * h, c2 = root + u * a - n * h;
    return dot(c1 - root, prefer) >= dot(c2 - root, prefer) ? c1 : c2;
}

// The hand that takes a hold at `to`: one that would not cross the other;
// of two, the lower (on a level, the one that rested).
int reaching_hand(point to, const std::array<point, 2>& hand, int last_moved) {
    const bool left_ok = to.x <= hand[1].x + 0.03, right_ok = to.x >= hand[0].x - 0.03;
    if (left_ok != right_ok) return left_ok ? 0 : 1;
    if (std::abs(hand[0].y - hand[1].y) < 0.01) return 1 - last_moved;
    return hand[0].y > hand[1].y ? 0 : 1;
}

struct trunk {
    point shoulders, hips;  // the midpoints
};

// The trunk hanging between the limbs: shoulders below the lower hand with
// the arms nearly straight, hips below them and above the feet, each pulled
// in turn until the arms and legs (nearly) reach. `sway` moves it sideways.
trunk hang(const std::array<point, 2>& wrist, const std::array<point, 2>& ankle, double sway) {
    const point hands_mid = (wrist[0] + wrist[1]) * 0.5, feet_mid = (ankle[0] + ankle[1]) * 0.5;
    point s{hands_mid.x * 0.6 + feet_mid.x * 0.4, std::max(wrist[0].y, wrist[1].y) + 0.12};
    auto hips_below = [&] {
        point down = point{(feet_mid.x - s.x) * 0.3, torso};
        return s + down * (torso / length(down));
    };
    const double arm_reach = (upper_arm + forearm) * 0.97, leg_reach = (thigh + shin) * 0.97;
    for (int i = 0; i < 8; ++i) {
        for (int side = 0; side < 2; ++side) {
            const point d = wrist[side] - (s + point{side ? shoulder_half : -shoulder_half, 0});
            const double len = length(d);
            if (len > arm_reach) s = s + d * ((len - arm_reach) / len);
        }
        point hip = hips_below();
        for (int side = 0; side < 2; ++side) {
            const point d = ankle[side] - (hip + point{side ? hip_half : -hip_half, 0});
            const double len = length(d);
            if (len > leg_reach) hip = hip + d * ((len - leg_reach) / len);
        }
        hip.y = std::min(hip.y, std::min(ankle[0].y, ankle[1].y) - 0.03);
        s = s + (hip - hips_below());
    }
    s.x += sway;
    return {s, hips_below()};
}

}  // namespace

std::vector<route_hold> demo_route() {
    // A zig-zag up the middle of the wall, about 0.08 between moves.
    return {
        {"\"1\"", "start", {0.42, 0.70}},  {"\"2\"", "start", {0.56, 0.72}},
        {"\"3\"", "normal", {0.36, 0.62}}, {"\"4\"", "normal", {0.60, 0.55}},
        {"\"5\"", "normal", {0.40, 0.47}}, {"\"6\"", "normal", {0.63, 0.39}},
        {"\"7\"", "normal", {0.44, 0.31}}, {"\"8\"", "normal", {0.58, 0.23}},
        {"\"9\"", "normal", {0.42, 0.15}}, {"\"10\"", "finish", {0.52, 0.07}},
    };
}

std::string_view to_string(hold_state s) {
    switch (s) {
        case hold_state::grabbed:
            return "grabbed";
        case hold_state::completed:
            return "completed";
        case hold_state::untouched:
            break;
    }
    return "untouched";
}

climb_plan::climb_plan(std::vector<route_hold> holds, double duration_s, std::uint32_t seed)
    : holds_(std::move(holds)),
      duration_(duration_s),
      random_(seed),
      phase_(std::uniform_real_distribution<double>(0, 2 * std::numbers::pi)(random_)) {
    if (!holds_.empty()) plan(duration_s);
}

void climb_plan::add_move(limb l, double t0, double t1, point to) {
    const point from = moves_[l].empty() ? start_[l] : moves_[l].back().to;
    if (length(to - from) < 0.005) return;
    moves_[l].push_back({t0, t1, from, to});
}

// Where a foot goes when the lower hand is at `hand_y`: a hold near the
// comfortable height on its side, not under a hand or the other foot; else
// the wall there (a smear), or the floor.
point climb_plan::foothold(int side, double hand_y, double body_x, point other,
                           const std::array<point, 2>& hand) const {
    const double want = hand_y + feet_below;
    if (want >= ground - 0.04) return {body_x + side * 0.07, ground};
    const route_hold* best = nullptr;
    double best_gap = foot_search;
    for (const auto& h : holds_) {
        if ((h.at.x - body_x) * side < -0.02) continue;
        if (length(h.at - hand[0]) < 0.03 || length(h.at - hand[1]) < 0.03 ||
            length(h.at - other) < 0.03)
            continue;
        if (double gap = std::abs(h.at.y - want); gap < best_gap) {
            best_gap = gap;
            best = &h;
        }
    }
    return best ? best->at : point{body_x + side * 0.08, want};
}

// Hands on the start holds, feet on the floor (a sit start); the start holds
// are grabbed one by one, then completed as the climb leaves the ground.
void climb_plan::plan(double d) {
    std::size_t starts = 0;
    const auto order = climbing_order(holds_, starts);
    std::array<point, 2> hand{holds_[order[0]].at, holds_[order[starts - 1]].at};
    start_[left_hand] = hand[0];
    start_[right_hand] = hand[1];
    const double cx = (hand[0].x + hand[1].x) / 2;
    start_[left_foot] = {cx - 0.07, ground};
    start_[right_foot] = {cx + 0.07, ground};
    for (std::size_t i = 0; i < starts; ++i)
        changes_.push_back(
            {d * (0.02 + 0.04 * static_cast<double>(i) / static_cast<double>(starts)), order[i],
             hold_state::grabbed});
    for (std::size_t i = 0; i < starts; ++i)
        changes_.push_back({d * 0.08, order[i], hold_state::completed});
    plan_moves(d, order, starts, hand);
    std::stable_sort(changes_.begin(), changes_.end(),
                     [](const hold_change& x, const hold_change& y) { return x.at_s < y.at_s; });
}

// One move per remaining hold, in equal steps from 10% to 96% of the climb:
// a hand reaches (the hold is grabbed), the feet step up, the hold is
// completed. On the finish the other hand matches.
void climb_plan::plan_moves(double d, const std::vector<std::size_t>& order, std::size_t starts,
                            std::array<point, 2> hand) {
    std::array<point, 2> foot{start_[left_foot], start_[right_foot]};
    const std::size_t moves = order.size() - starts;
    const double step = d * 0.86 / static_cast<double>(std::max<std::size_t>(moves, 1));
    int last_moved = 1;
    for (std::size_t k = 0; k < moves; ++k) {
        const std::size_t target = order[starts + k];
        const double a = d * 0.10 + step * static_cast<double>(k);
        const int h = reaching_hand(holds_[target].at, hand, last_moved);
        const bool match = k + 1 == moves && holds_[target].type == "finish";
        const double offset = match ? 0.012 : 0;  // two hands side by side
        point grip = holds_[target].at + point{h == 0 ? -offset : offset, 0};
        add_move(h == 0 ? left_hand : right_hand, a, a + 0.45 * step, grip);
        hand[h] = grip;
        last_moved = h;
        changes_.push_back({a + 0.45 * step, target, hold_state::grabbed});
        if (match) {
            point other = holds_[target].at + point{h == 0 ? offset : -offset, 0};
            add_move(h == 0 ? right_hand : left_hand, a + 0.5 * step, a + 0.8 * step, other);
            hand[1 - h] = other;
        }
        const double body_x = (hand[0].x + hand[1].x) / 2;
        const double lower = std::max(hand[0].y, hand[1].y);
        const point left = foothold(-1, lower, body_x, foot[1], hand);
        const point right = foothold(1, lower, body_x, left, hand);
        const bool left_first = foot[0].y >= foot[1].y;  // the lower foot steps first
        add_move(left_first ? left_foot : right_foot, a + 0.5 * step, a + 0.7 * step,
                 left_first ? left : right);
        add_move(left_first ? right_foot : left_foot, a + 0.7 * step, a + 0.9 * step,
                 left_first ? right : left);
        foot = {left, right};
        changes_.push_back({a + 0.9 * step, target, hold_state::completed});
    }
}

point climb_plan::limb_at(limb l, double t, double& lift) const {
    lift = 0;
    point at = start_[l];
    for (const auto& m : moves_[l]) {
        if (t >= m.t1) {
            at = m.to;
            continue;
        }
        if (t > m.t0) {
            const double u = (t - m.t0) / (m.t1 - m.t0);
            lift = std::sin(std::numbers::pi * u);
            const double side = (l == left_hand || l == left_foot) ? -1 : 1;
            at = lerp(m.from, m.to, ease(u)) + point{side * 0.02 * lift, -0.01 * lift};
        }
        break;
    }
    return at;
}

void climb_plan::put(pose& out, int i, point p, double z, double visibility) {
    std::normal_distribution<double> jitter(0, 0.0012);
    std::uniform_real_distribution<double> flicker(-0.04, 0.04);
    out[static_cast<std::size_t>(i)] = {p.x + jitter(random_), p.y + jitter(random_),
                                        z + jitter(random_) * 4,
                                        std::clamp(visibility + flicker(random_), 0.0, 1.0)};
}

void climb_plan::pose_at(double t, pose& out) {
    std::array<double, 4> lift{};
    std::array<point, 4> at;
    for (int l = 0; l < 4; ++l)
        at[l] = limb_at(static_cast<limb>(l), t, lift[l]);
    const std::array<point, 2> wrist{at[left_hand] + point{0, 0.012},
                                     at[right_hand] + point{0, 0.012}};
    const std::array<point, 2> ankle{at[left_foot] + point{-0.012, -0.03},
                                     at[right_foot] + point{0.012, -0.03}};
    const auto body =
        hang(wrist, ankle, 0.006 * std::sin(2 * std::numbers::pi * 0.25 * t + phase_));

    // The head, tilted a little towards the hands. Seen from behind: the
    // face is barely visible.
    const point s = body.shoulders;
    point up = ((wrist[0] + wrist[1]) * 0.5 - s) * 0.3 + point{0, -1};
    up = up * (1 / length(up));
    const point right{-up.y, up.x};
    const point nose = s + up * neck, eyes = nose + up * 0.012;
    put(out, 0, nose, -0.06, 0.45);
    for (int side = 0; side < 2; ++side) {
        const double sign = side ? 1 : -1;
        put(out, 1 + 3 * side, eyes + right * (sign * 0.007), -0.055, 0.4);           // inner eye
        put(out, 2 + 3 * side, eyes + right * (sign * 0.012), -0.055, 0.4);           // eye
        put(out, 3 + 3 * side, eyes + right * (sign * 0.017), -0.05, 0.4);            // outer eye
        put(out, 7 + side, nose - up * 0.002 + right * (sign * 0.028), -0.02, 0.7);   // ear
        put(out, 9 + side, nose - up * 0.018 + right * (sign * 0.009), -0.05, 0.35);  // mouth
    }

    for (int side = 0; side < 2; ++side) {  // 0: left (lower x), 1: right
        const double sign = side ? 1 : -1;
        const point shoulder = s + point{sign * shoulder_half, 0};
        const point hip = body.hips + point{sign * hip_half, 0};
        const double hand_lift = lift[side ? right_hand : left_hand];
        const double foot_lift = lift[side ? right_foot : left_foot];
        point w = wrist[side], a = ankle[side];
        const point elbow = bend(shoulder, w, upper_arm, forearm, {sign, 0.6});
        const point knee = bend(hip, a, thigh, shin, {sign, -0.6});
        const double hand_z = 0.12 - 0.1 * hand_lift, foot_z = 0.1 - 0.08 * foot_lift;
        put(out, 11 + side, shoulder, 0.02, 0.97);
        put(out, 13 + side, elbow, 0.03, 0.93);
        put(out, 15 + side, w, hand_z, 0.9);
        point dir = w - elbow;
        dir = dir * (1 / std::max(length(dir), 1e-6));
        const point outward{sign * std::abs(dir.y), -sign * std::abs(dir.x) * 0.2};
        put(out, 17 + side, w + dir * 0.022 + outward * 0.012, hand_z + 0.01, 0.85);  // pinky
        put(out, 19 + side, w + dir * 0.028, hand_z + 0.01, 0.86);                    // index
        put(out, 21 + side, w + dir * 0.015 - outward * 0.012, hand_z, 0.84);         // thumb
        put(out, 23 + side, hip, 0.0, 0.97);
        put(out, 25 + side, knee, 0.06, 0.93);
        put(out, 27 + side, a, foot_z, 0.88);
        put(out, 29 + side, a + point{sign * 0.008, 0.018}, foot_z - 0.01, 0.82);     // heel
        put(out, 31 + side, at[side ? right_foot : left_foot], foot_z + 0.01, 0.85);  // toes
    }
}

}  // namespace belay::cli::fake
