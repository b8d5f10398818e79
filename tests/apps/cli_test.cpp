// Drives the real `belay` binary: inspect on a log written through the
// engine, export → import → verify, and the exit codes.

#include <catch2/catch_test_macros.hpp>

#include "result_printing.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "belay/engine/event_log.hpp"
#include "temp_dir.hpp"

using namespace belay::engine;

namespace {

struct run_result {
    int exit_code;
    std::string out;
};

run_result run(const std::string& args) {
    std::string cmd = std::string(BELAY_CLI) + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
        out.append(buf, n);
    int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

session_id fill(const std::string& dir, int events) {
    log_options o;
    o.data_dir = dir;
    auto log = event_log::open(o);
    REQUIRE(log);
    auto stream = session_id::generate();
    for (int i = 0; i < events; ++i) {
        append_request r;
        r.stream = stream;
        r.type = i % 2 ? event_type::pose_updated : event_type::climb_updated;
        r.author = "alice";
        r.client_id = "m" + std::to_string(i);
        r.payload = i % 2 ? R"({"pose":[{"x":0.1,"y":0.2}]})" : R"({"climb":{"holds":[]}})";
        REQUIRE((*log)->append(std::move(r)));
    }
    return stream;
}

}  // namespace

TEST_CASE("belay inspect: streams, events, stats, verify") {
    belay::test::temp_dir dir;
    auto stream = fill(dir.str(), 6);
    auto d = " --data-dir " + dir.str();

    auto streams = run("inspect streams" + d);
    CHECK(streams.exit_code == 0);
    CHECK(streams.out.find(stream.to_string()) != std::string::npos);

    auto events =
        run("inspect events " + stream.to_string() + " --from-seq 2 --limit 3 --json" + d);
    CHECK(events.exit_code == 0);
    CHECK(std::count(events.out.begin(), events.out.end(), '\n') == 3);
    CHECK(events.out.find("\"seq\":2,") != std::string::npos);
    CHECK(events.out.find("\"seq\":5,") == std::string::npos);

    auto stats = run("inspect stats" + d);
    CHECK(stats.exit_code == 0);
    CHECK(stats.out.find("pose_updated") != std::string::npos);

    auto verify = run("inspect verify" + d);
    CHECK(verify.exit_code == 0);
    CHECK(verify.out.find("ok") != std::string::npos);
}

TEST_CASE("belay inspect: export then import gives the same log") {
    belay::test::temp_dir a, b;
    fill(a.str(), 20);
    auto file = (b.path() / "log.jsonl").string();
    REQUIRE(run("inspect export --output " + file + " --data-dir " + a.str()).exit_code == 0);
    auto target = (b.path() / "copy").string();
    auto imported = run("inspect import --input " + file + " --data-dir " + target);
    INFO(imported.out);
    REQUIRE(imported.exit_code == 0);
    CHECK(run("inspect verify --data-dir " + target).exit_code == 0);
    auto again = (b.path() / "again.jsonl").string();
    REQUIRE(run("inspect export --output " + again + " --data-dir " + target).exit_code == 0);
    std::ifstream x(file), y(again);
    std::string xs((std::istreambuf_iterator<char>(x)), {}),
        ys((std::istreambuf_iterator<char>(y)), {});
    CHECK(xs == ys);
    CHECK(std::count(xs.begin(), xs.end(), '\n') == 20);
}

TEST_CASE("belay inspect: errors are clear and exit non-zero") {
    belay::test::temp_dir dir;
    CHECK(run("inspect").exit_code == 2);
    CHECK(run("inspect streams").exit_code == 2);  // no --data-dir
    auto missing = run("inspect streams --data-dir " + (dir.path() / "none").string());
    CHECK(missing.exit_code == 1);
    CHECK(missing.out.find("no event log") != std::string::npos);
    fill(dir.str(), 1);
    CHECK(run("inspect events not-a-uuid --data-dir " + dir.str()).exit_code == 2);
    CHECK(run("inspect frobnicate --data-dir " + dir.str()).exit_code == 2);
    std::ofstream(dir.path() / "bad.jsonl") << "{\"position\":1}\n";
    auto bad = run("inspect import --input " + (dir.path() / "bad.jsonl").string() +
                   " --data-dir " + (dir.path() / "t").string());
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("line 1") != std::string::npos);
}
