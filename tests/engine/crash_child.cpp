// Appends from a few threads to a few streams until killed, printing one line
// per acknowledged event: "<stream> <seq> <position>". Used by crash_test.
//
// usage: crash_child DATA_DIR sync|buffered

#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "belay/engine/event_log.hpp"

using namespace belay::engine;

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    log_options options;
    options.data_dir = argv[1];
    auto mode = parse_durability(argv[2]);
    if (!mode) return 2;
    options.durability = *mode;
    auto log = event_log::open(options);
    if (!log) {
        fmt::print(stderr, "open: {}\n", log.error().message());
        return 1;
    }
    std::vector<session_id> streams;
    for (int i = 0; i < 4; ++i)
        streams.push_back(session_id::generate());
    std::mutex out;
    auto appender = [&](int t) {
        for (std::uint64_t i = 0;; ++i) {
            std::vector<append_request> batch;
            std::size_t n = 1 + i % 3;  // batches of one to three
            for (std::size_t k = 0; k < n; ++k) {
                append_request r;
                r.stream = streams[(t + i + k) % streams.size()];
                r.type = event_type::pose_updated;
                r.author = "crash";
                if (i % 2 == 0) r.client_id = fmt::format("t{}-{}-{}", t, i, k);
                r.payload = fmt::format(R"({{"pose":[{{"x":{},"y":0.5}}]}})", i % 100);
                batch.push_back(std::move(r));
            }
            auto acked = (*log)->append_batch(std::move(batch));
            if (!acked) return;
            std::string lines;
            for (std::size_t k = 0; k < acked->size(); ++k) {
                auto& a = (*acked)[k];
                lines +=
                    fmt::format("{} {} {}\n", streams[(t + i + k) % streams.size()].to_string(),
                                a.seq.value, a.position.value);
            }
            std::lock_guard lock(out);
            // One write per batch: the parent never sees half of it unless killed mid-write.
            if (::write(1, lines.data(), lines.size()) < 0) return;
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back(appender, t);
    for (auto& th : threads)
        th.join();
    return 0;
}
