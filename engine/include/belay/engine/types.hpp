#pragma once
// Strong types of the event model: the ids and numbers every module passes
// around. Plain values, cheap to copy, no allocation.

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace belay::engine {

// A session (one stream of the log), identified by a UUID.
class session_id {
  public:
    using bytes_type = std::array<std::uint8_t, 16>;

    constexpr session_id() = default;
    constexpr explicit session_id(const bytes_type& bytes) : bytes_(bytes) {}

    // Parses the canonical 8-4-4-4-12 hex form (either case). Returns nullopt
    // for anything else.
    static std::optional<session_id> parse(std::string_view text);
    // A random (version 4) UUID.
    static session_id generate();

    // Lower-case canonical form, 36 characters.
    std::string to_string() const;
    // Appends the 36 characters of to_string() to `out`.
    void append_to(std::string& out) const;
    const bytes_type& bytes() const { return bytes_; }
    bool is_nil() const { return *this == session_id{}; }

    friend constexpr auto operator<=>(const session_id&, const session_id&) = default;

  private:
    bytes_type bytes_{};
};

// Position of an event within its session's stream: 1, 2, 3 … with no gaps.
// 0 means "before the first event".
struct seq {
    std::uint64_t value = 0;
    friend constexpr auto operator<=>(seq, seq) = default;
    constexpr seq next() const { return seq{value + 1}; }
};

// Position of an event in the whole log: strictly increasing across all
// sessions in commit order (not necessarily contiguous). 0 means "before the
// first event".
struct log_position {
    std::uint64_t value = 0;
    friend constexpr auto operator<=>(log_position, log_position) = default;
};

// When a durable append is acknowledged.
enum class durability {
    sync,      // fsync'd before the ack: survives a power cut (the default)
    buffered,  // written to the OS before the ack: survives a process crash
};

std::optional<durability> parse_durability(std::string_view text);
std::string_view to_string(durability d);

}  // namespace belay::engine

template <>
struct std::hash<belay::engine::session_id> {
    std::size_t operator()(const belay::engine::session_id& id) const noexcept {
        std::size_t h = 0;
        for (auto b : id.bytes())
            h = h * 131 + b;
        return h;
    }
};
