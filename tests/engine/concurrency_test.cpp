#include <catch2/catch_test_macros.hpp>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "belay/engine/verify.hpp"
#include "log_fixture.hpp"

using namespace belay::engine;
using namespace belay::test;

TEST_CASE("many threads appending to many streams: per-stream order, no gaps") {
    temp_dir dir;
    auto log = open_log(dir, durability::sync);
    constexpr int threads = 8, per_thread = 500, stream_count = 16;
    std::vector<session_id> streams;
    for (int i = 0; i < stream_count; ++i)
        streams.push_back(session_id::generate());

    std::mutex mutex;
    std::map<session_id, std::vector<std::uint64_t>> acked;  // seqs per stream
    std::set<std::uint64_t> positions;
    bool failures = false;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            std::map<session_id, std::uint64_t> last_seen;
            for (int i = 0; i < per_thread; ++i) {
                auto stream = streams[(t * 7 + i) % stream_count];
                auto r = log->append(pose_request(stream));
                std::lock_guard lock(mutex);
                if (!r || r->seq.value <= last_seen[stream]) {
                    failures = true;
                    continue;
                }
                last_seen[stream] = r->seq.value;
                acked[stream].push_back(r->seq.value);
                positions.insert(r->position.value);
            }
        });
    }
    for (auto& th : pool)
        th.join();
    REQUIRE_FALSE(failures);
    CHECK(positions.size() == threads * per_thread);
    for (auto& [stream, seqs] : acked) {
        std::sort(seqs.begin(), seqs.end());
        for (std::size_t i = 0; i < seqs.size(); ++i)
            REQUIRE(seqs[i] == i + 1);
        auto stored = drain(log->read_stream(stream));
        REQUIRE(stored.size() == seqs.size());
    }
    auto report = verify_log(*log);
    REQUIRE(report);
    CHECK(report->ok());
    CHECK(report->events == threads * per_thread);
}

TEST_CASE("async appends from many threads are all acknowledged once") {
    temp_dir dir;
    auto log = open_log(dir);
    constexpr int threads = 4, per_thread = 2000;
    auto stream = session_id::generate();
    std::atomic<int> acks{0}, errors{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            for (int i = 0; i < per_thread; ++i) {
                std::vector<append_request> one{pose_request(stream)};
                log->append_async(std::move(one), [&](result<std::vector<append_result>> r) {
                    (r ? acks : errors).fetch_add(1);
                });
            }
        });
    }
    for (auto& th : pool)
        th.join();
    log.reset();  // drains the queue before closing
    CHECK(errors == 0);
    CHECK(acks == threads * per_thread);
    auto reopened = open_log(dir);
    CHECK(reopened->stream_head(stream).value() == seq{threads * per_thread});
}
