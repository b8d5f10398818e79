// live_hub on its own: when it starts batching, and the frames a sender may
// take early (see ws_live.cpp, on_appended).

#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch_test_macros.hpp>

#include "live_hub.hpp"

namespace {

using namespace belay;
using seqs = std::vector<std::uint64_t>;

struct recorder final : transport::live_subscriber {
    seqs direct, batched;
    void deliver(transport::frame_ptr f) override { direct.push_back(f->seq); }
    void deliver_batch(transport::frame_batch batch) override {
        for (const auto& f : *batch)
            batched.push_back(f->seq);
    }
    void session_gone() override {}
    void server_stopping() override {}
};

engine::event pose(engine::session_id session, std::uint64_t seq) {
    engine::event e;
    e.stream = session;
    e.seq = engine::seq{seq};
    e.type = engine::event_type::pose_updated;
    e.payload = R"({"pose":[]})";
    return e;
}

struct fixture {
    std::shared_ptr<boost::asio::io_context> io = std::make_shared<boost::asio::io_context>();
    std::shared_ptr<transport::live_hub> hub = std::make_shared<transport::live_hub>();
    engine::session_id session = engine::session_id::generate();
    std::vector<std::shared_ptr<recorder>> subscribers;

    fixture(double above, std::size_t n) {
        hub->batch_on(io, std::chrono::milliseconds(5), above);
        for (std::size_t i = 0; i < n; ++i) {
            subscribers.push_back(std::make_shared<recorder>());
            hub->attach(session, subscribers.back());
        }
    }
    ~fixture() { hub->close(); }
    void commit(std::uint64_t from, std::uint64_t to) {
        for (auto seq = from; seq <= to; ++seq)
            hub->on_commit({pose(session, seq)});
    }
};

}  // namespace

TEST_CASE("a burst is batched once it passes a tenth of a second's worth") {
    fixture f(20'000, 1000);
    f.commit(1, 10);
    // 2,000 deliveries are a tenth of a second's worth at 20,000/s: from
    // the fourth event on (3,000) frames wait for the batch, without waiting
    // for the tenth of a second to end.
    for (const auto& s : f.subscribers) {
        REQUIRE(s->direct == seqs{1, 2, 3});
        REQUIRE(s->batched.empty());
    }
    REQUIRE(f.hub->busy());
    f.io->run();  // the tick: every subscriber gets the rest in one batch
    for (const auto& s : f.subscribers) {
        REQUIRE(s->direct == seqs{1, 2, 3});
        REQUIRE(s->batched == seqs{4, 5, 6, 7, 8, 9, 10});
    }
}

TEST_CASE("a few deliveries are not batched") {
    fixture f(20'000, 10);
    f.commit(1, 150);  // 1,500 deliveries: under the threshold
    REQUIRE_FALSE(f.hub->busy());
    REQUIRE(f.subscribers[0]->direct.size() == 150);
    REQUIRE(f.hub->waiting_frame(f.session, 150) == nullptr);
}

TEST_CASE("a frame waiting in a batch can be taken by its sender") {
    fixture f(0, 2);  // 0: batch always
    f.commit(1, 3);
    REQUIRE(f.subscribers[0]->direct.empty());
    auto frame = f.hub->waiting_frame(f.session, 2);
    REQUIRE(frame);
    CHECK(frame->seq == 2);
    CHECK(frame->text.find(R"("seq":2,)") != std::string::npos);
    CHECK(f.hub->waiting_frame(f.session, 4) == nullptr);  // not committed
    CHECK(f.hub->waiting_frame(engine::session_id::generate(), 2) == nullptr);
    f.io->run();  // handed out: nothing waits any more
    CHECK(f.subscribers[1]->batched == seqs{1, 2, 3});
    CHECK(f.hub->waiting_frame(f.session, 2) == nullptr);
}
