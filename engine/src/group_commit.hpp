#pragma once
// The single writer thread. Appends queued by any thread are folded into one
// RocksDB WriteBatch per round, written with the configured durability, and
// acknowledged only after that write returned. While one round is being
// written, the next one queues up: that is what makes durable writes cheap.
//
// The writer thread alone owns the stream heads, the next position and the
// failure state; nothing else mutates them.

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "log_impl.hpp"

namespace belay::engine {

struct pending_append {
    std::vector<append_request> requests;
    std::vector<std::string> records;  // requests encoded, position and seq still zero
    std::vector<event> restore;        // restore(): events written exactly as given
    bool is_restore = false;
    std::vector<session_id> purge;  // purge_streams(): requests[0] is the tombstone
    event_log::append_callback done;
};

class group_commit {
  public:
    group_commit(event_log::impl& log, durability mode, std::size_t max_batch_events);
    ~group_commit();  // drains the queue, then stops

    void submit(pending_append p);
    boost::system::error_code health() const;

  private:
    struct round;

    void run();
    void write_round(std::vector<pending_append>& batch);
    void write_restore(pending_append& p);
    [[nodiscard]] result<seq> head(session_id stream, round& r);
    [[nodiscard]] boost::system::error_code stage(pending_append& p, round& r,
                                                  std::vector<append_result>& results);
    [[nodiscard]] boost::system::error_code stage_purge(const std::vector<session_id>& streams,
                                                        round& r);
    bool purged(session_id stream, const round& r) const;
    [[nodiscard]] boost::system::error_code lookup_client_ids(std::vector<pending_append>& batch,
                                                              round& r);
    void fail(boost::system::error_code ec);
    void put_event(round& r, session_id stream, seq s, log_position pos, std::string_view record);

    event_log::impl& log_;
    durability mode_;
    std::size_t max_batch_events_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<pending_append> queue_;
    bool stopping_ = false;
    boost::system::error_code failed_;  // guarded by mutex_

    // Writer thread only.
    std::unordered_map<session_id, std::uint64_t> heads_;
    std::uint64_t last_position_ = 0;

    std::thread thread_;
};

}  // namespace belay::engine
