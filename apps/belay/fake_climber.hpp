#pragma once
// The climber `belay fake` pretends to film: a route's holds in climbing
// order, when each is grabbed and completed, and the 33 MediaPipe landmarks
// of a body whose hands and feet move from hold to hold up the wall. Pure
// computation, no I/O; coordinates are the route's normalised wall
// coordinates (x to the right, y down, 0..1).

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace belay::cli::fake {

struct point {
    double x = 0, y = 0;
};

struct route_hold {
    std::string id;    // as JSON text: "\"7\"" or "7"
    std::string type;  // start | normal | finish
    point at;
};

// The route fake creates when the server has none by this name: ten holds,
// two starts near the bottom, a finish at the top.
inline constexpr std::string_view demo_route_name = "Belay demo route";
inline constexpr std::string_view demo_route_grade = "V2";
std::vector<route_hold> demo_route();

enum class hold_state { untouched, grabbed, completed };
std::string_view to_string(hold_state s);

// A hold's change of state, `at_s` seconds into the climb.
struct hold_change {
    double at_s = 0;
    std::size_t hold = 0;  // index into the route's holds
    hold_state state = hold_state::untouched;
};

// MediaPipe's pose landmark, in its order (0 nose … 32 right foot index).
struct landmark {
    double x = 0, y = 0, z = 0, visibility = 0;
};
using pose = std::array<landmark, 33>;

class climb_plan {
  public:
    // Plans a climb of `holds` (a route's holds, in the route's order; at
    // least one) lasting `duration_s`; `seed` varies the climber's sway and
    // the landmarks' jitter.
    climb_plan(std::vector<route_hold> holds, double duration_s, std::uint32_t seed);

    const std::vector<route_hold>& holds() const { return holds_; }
    double duration() const { return duration_; }
    // Every hold is grabbed, then completed, in climbing order (start holds
    // first, finish last), all before duration().
    const std::vector<hold_change>& changes() const { return changes_; }
    // The body at `t_s` seconds into the climb. Not const: draws the jitter.
    void pose_at(double t_s, pose& out);

  private:
    enum limb { left_hand, right_hand, left_foot, right_foot };
    struct move {
        double t0, t1;
        point from, to;
    };
    void plan(double duration_s);
    void plan_moves(double duration_s, const std::vector<std::size_t>& order, std::size_t starts,
                    std::array<point, 2> hands);
    point foothold(int side, double hand_y, double body_x, point other_foot,
                   const std::array<point, 2>& hands) const;
    void add_move(limb l, double t0, double t1, point to);
    point limb_at(limb l, double t_s, double& lift) const;
    void put(pose& out, int index, point p, double z, double visibility);

    std::vector<route_hold> holds_;
    double duration_;
    std::vector<hold_change> changes_;
    std::array<point, 4> start_;  // where each limb is at 0
    std::array<std::vector<move>, 4> moves_;
    std::mt19937 random_;
    double phase_;
};

}  // namespace belay::cli::fake
