// belay: the operator's command-line tool.

#include <exception>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "args.hpp"
#include "fake.hpp"
#include "inspect.hpp"
#include "watch.hpp"

namespace {

constexpr const char* usage = R"(usage: belay <command> [options]

commands:
  inspect   read an event log offline or while belayd runs on it
            (belay inspect --help)
  fake      play climbing walls into belayd: sessions, climbs, poses
            (belay fake --help)
  watch     print a session's live or replayed messages, checking their seqs
            (belay watch --help)
)";

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h") {
        fmt::print(args.empty() ? stderr : stdout, "{}", usage);
        return args.empty() ? 2 : 0;
    }
    auto command = args[0];
    args.erase(args.begin());
    try {
        if (command == "inspect") return belay::cli::run_inspect(args);
        if (command == "fake") return belay::cli::run_fake(args);
        if (command == "watch") return belay::cli::run_watch(args);
        throw belay::cli::usage_error("unknown command \"" + command + "\"");
    } catch (const belay::cli::usage_error& e) {
        fmt::print(stderr, "belay: {}\n\n{}", e.what(), usage);
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "belay: {}\n", e.what());
        return 1;
    }
}
