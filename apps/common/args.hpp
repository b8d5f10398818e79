#pragma once
// A small command-line parser: positionals, `--name value` options and
// `--flag` switches. Unknown options are usage errors.

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace belay::cli {

// A mistake in how the command was called: main prints it with the usage and
// exits 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class args {
  public:
    // `with_value` and `flags` name the accepted options, without the dashes.
    args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
         const std::set<std::string>& flags);

    const std::vector<std::string>& positional() const { return positional_; }
    std::optional<std::string> get(const std::string& name) const;
    std::string require(const std::string& name) const;
    bool has(const std::string& flag) const { return flags_.count(flag) > 0; }
    // A non-negative integer option, or `fallback` when absent.
    std::uint64_t number(const std::string& name, std::uint64_t fallback) const;
    // Parses a non-negative integer given for option `name`; usage_error if it is not one.
    static std::uint64_t parse_number(const std::string& name, const std::string& text);

  private:
    std::vector<std::string> positional_;
    std::unordered_map<std::string, std::string> values_;
    std::set<std::string> flags_;
};

}  // namespace belay::cli
