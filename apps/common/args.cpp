#include "args.hpp"

#include <charconv>

namespace belay::cli {

args::args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
           const std::set<std::string>& flags) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const auto& a = argv[i];
        if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
            positional_.push_back(a);
            continue;
        }
        auto name = a.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.erase(eq);
        }
        if (flags.count(name) && !inline_value) {
            flags_.insert(name);
        } else if (with_value.count(name)) {
            if (!inline_value && i + 1 >= argv.size())
                throw usage_error("--" + name + " needs a value");
            values_[name] = inline_value ? *inline_value : argv[++i];
        } else {
            throw usage_error("unknown option --" + name);
        }
    }
}

std::optional<std::string> args::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string args::require(const std::string& name) const {
    auto v = get(name);
    if (!v) throw usage_error("--" + name + " is required");
    return *v;
}

std::uint64_t args::number(const std::string& name, std::uint64_t fallback) const {
    auto v = get(name);
    return v ? parse_number(name, *v) : fallback;
}

std::uint64_t args::parse_number(const std::string& name, const std::string& text) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        throw usage_error("--" + name + " must be a non-negative integer, not \"" + text + "\"");
    return n;
}

}  // namespace belay::cli
