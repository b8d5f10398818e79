// Kills a process that appends (crash_child) with SIGKILL at random moments
// and checks after every reopen that each acknowledged event is present, with
// the position it was acknowledged with, and that the log verifies.

#include <catch2/catch_test_macros.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <sstream>

#include "belay/engine/verify.hpp"
#include "log_fixture.hpp"

using namespace belay::engine;
using namespace belay::test;

namespace {

struct child {
    pid_t pid = -1;
    int out = -1;
};

child spawn(const std::string& dir, const char* mode) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(fds[1], 1);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execl(BELAY_CRASH_CHILD, BELAY_CRASH_CHILD, dir.c_str(), mode,
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    return {pid, fds[0]};
}

// Reads the child's output for `run`, then kills it; returns all complete lines.
std::string run_and_kill(child c, std::chrono::milliseconds run) {
    std::string output;
    char buf[65536];
    auto deadline = std::chrono::steady_clock::now() + run;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{c.out, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        auto n = ::read(c.out, buf, sizeof buf);
        if (n <= 0) break;
        output.append(buf, static_cast<std::size_t>(n));
    }
    ::kill(c.pid, SIGKILL);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    for (ssize_t n; (n = ::read(c.out, buf, sizeof buf)) > 0;)
        output.append(buf, static_cast<std::size_t>(n));
    ::close(c.out);
    output.erase(output.find_last_of('\n') + 1);  // a line cut by the kill was never acknowledged
    return output;
}

int rounds() {
    const char* env = std::getenv("BELAY_CRASH_ROUNDS");
    return env ? std::atoi(env) : 20;
}

void crash_rounds(const char* mode) {
    temp_dir dir;
    std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<int> run_ms(30, 400);
    std::uint64_t verified = 0;
    for (int round = 0; round < rounds(); ++round) {
        auto acked = run_and_kill(spawn(dir.str(), mode), std::chrono::milliseconds(run_ms(rng)));
        auto log = open_log(dir);
        std::istringstream lines(acked);
        std::string stream_text;
        std::uint64_t s = 0, position = 0;
        while (lines >> stream_text >> s >> position) {
            auto stream = session_id::parse(stream_text);
            REQUIRE(stream);
            auto e = log->read_event(*stream, seq{s});
            INFO("round " << round << ": " << stream_text << " seq " << s);
            REQUIRE(e);
            REQUIRE(e->position == log_position{position});
            ++verified;
        }
        auto report = verify_log(*log);
        REQUIRE(report);
        INFO("round " << round << ": " << (report->faults.empty() ? "" : report->faults.front()));
        REQUIRE(report->ok());
    }
    WARN(mode << ": " << rounds() << " kills survived, " << verified
              << " acknowledged events verified");
}

}  // namespace

TEST_CASE("acknowledged events survive SIGKILL (sync)", "[crash]") {
    crash_rounds("sync");
}
TEST_CASE("acknowledged events survive SIGKILL (buffered)", "[crash]") {
    crash_rounds("buffered");
}
