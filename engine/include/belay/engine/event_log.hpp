#pragma once
// The durable event log over RocksDB.
//
// Every event belongs to one stream (a session) and gets, at commit, the next
// per-stream seq (1, 2, 3 … without gaps) and a global log position (strictly
// increasing across all streams). All writes go through one group-commit
// writer thread that folds the appends queued by any number of threads into
// one atomic RocksDB write, and acknowledges each append only after that
// write is durable under the configured durability.
//
// Thread safety: every member function may be called from any thread.
// Lifetime: cursors keep the storage open; they may outlive the event_log
// object but must not be used concurrently from two threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "belay/engine/errc.hpp"
#include "belay/engine/event.hpp"
#include "belay/engine/types.hpp"

namespace belay::engine {

struct log_options {
    std::string data_dir;
    engine::durability durability = durability::sync;
    bool create_if_missing = true;
    // Upper bound on the events one group commit writes.
    std::size_t max_batch_events = 8192;
};

struct append_request {
    session_id stream;
    event_type type = event_type::session_updated;
    std::string author;
    // Optional client message id. A later append to the same stream with the
    // same id appends nothing and returns the original seq and position.
    std::string client_id;
    std::string payload;            // compact JSON object, already validated
    std::string packed_pose;        // optional: validated_message::packed_pose
    std::int64_t recv_time_us = 0;  // 0: stamped by the log when queued
};

struct append_result {
    log_position position;
    engine::seq seq;
    bool duplicate = false;  // true: an earlier append had this client id
};

// Reads one stream, or the whole log, forward. next() returns true with an
// event, false at the end, or an error (after which it keeps returning that
// error). Memory does not grow with the length read. Stream cursors read one
// snapshot and stay at their end; a read_log cursor that reached the
// end returns, on a later call, whatever was committed since (a tail).
class log_cursor {
  public:
    struct impl;
    explicit log_cursor(std::unique_ptr<impl> p);
    log_cursor(log_cursor&&) noexcept;
    log_cursor& operator=(log_cursor&&) noexcept;
    ~log_cursor();

    [[nodiscard]] result<bool> next(event& out);

  private:
    std::unique_ptr<impl> impl_;
};

struct checkpoint {
    log_position position;  // the last event the checkpoint reflects
    std::string bytes;
};

struct log_stats {
    std::uint64_t events = 0;
    std::uint64_t streams = 0;
    log_position last_position;
    std::uint64_t sst_bytes = 0;
    std::uint64_t wal_bytes = 0;
    std::uint64_t memtable_bytes = 0;
};

class event_log {
  public:
    struct impl;

    // Opens (creating if allowed) the log in options.data_dir for reading and
    // writing. Fails with errc::busy if another process has it open.
    [[nodiscard]] static result<std::unique_ptr<event_log>> open(const log_options& options);

    // Opens the log read-only as a RocksDB secondary instance: works while
    // another process writes to it. Appends fail with errc::read_only; call
    // refresh() to see what the writer committed since.
    [[nodiscard]] static result<std::unique_ptr<event_log>> open_read_only(
        const std::string& data_dir);

    // Drains queued appends, stops the writer and closes.
    ~event_log();
    event_log(const event_log&) = delete;
    event_log& operator=(const event_log&) = delete;

    // --- writing ----------------------------------------------------------

    // Appends one event; returns once it is durable (or failed: a failed
    // append was not acknowledged, though after a crash it may be present).
    [[nodiscard]] result<append_result> append(append_request request);

    // Appends several events atomically (all or none), in order.
    [[nodiscard]] result<std::vector<append_result>> append_batch(
        std::vector<append_request> requests);

    // Queues an atomic batch and returns at once. `done` runs on the writer
    // thread once the batch is durable or has failed: keep it short (hand the
    // result to your own executor).
    using append_callback = std::function<void(result<std::vector<append_result>>)>;
    void append_async(std::vector<append_request> requests, append_callback done);

    // Writes events exactly as given (positions and seqs included), for
    // import. Each event's seq must follow its stream's head and positions
    // must increase past the log's last position.
    [[nodiscard]] result<void> restore(std::vector<event> events);

    // Deletes every event and client id of `streams` and marks them purged:
    // later appends to them fail with errc::stream_purged and reads find
    // nothing. `tombstone` (an event of another stream recording the
    // deletion) commits atomically with the purge; its result is returned.
    [[nodiscard]] result<append_result> purge_streams(std::vector<session_id> streams,
                                                      append_request tombstone);
    bool is_purged(session_id stream) const;

    // A named blob with the position it reflects (projection checkpoints),
    // stored beside the log and written atomically, durably.
    [[nodiscard]] result<void> write_checkpoint(std::string_view name, const checkpoint& c);
    // nullopt if none was written.
    [[nodiscard]] result<std::optional<checkpoint>> read_checkpoint(std::string_view name);

    // --- reading ----------------------------------------------------------

    // One stream's events with seq >= from, in seq order.
    [[nodiscard]] log_cursor read_stream(session_id stream, seq from = seq{1});
    // Every event with position > after, in log (commit) order.
    [[nodiscard]] log_cursor read_log(log_position after = {});

    [[nodiscard]] result<event> read_event(session_id stream, seq s);
    // The stream's last seq; seq{0} if it has no events.
    [[nodiscard]] result<seq> stream_head(session_id stream);
    // The position of the last committed event.
    log_position last_position() const;

    // --- tail -------------------------------------------------------------

    // Called on the writer thread after every commit with the committed
    // events in log order (positions and seqs filled in). Keep it short.
    using commit_listener = std::function<void(const std::vector<event>&)>;
    void add_commit_listener(commit_listener listener);

    // Blocks until an event with position > after is committed, or the
    // timeout passes. Returns the last committed position.
    log_position wait_for_commit(log_position after, std::chrono::milliseconds timeout);

    // --- state --------------------------------------------------------------

    // Read-only instances: catch up with what the writing process committed.
    [[nodiscard]] result<void> refresh();
    bool read_only() const;
    // ok while writes are accepted; the error that stopped them otherwise.
    boost::system::error_code write_health() const;
    // Event and stream counts are exact (they scan the log).
    [[nodiscard]] result<log_stats> stats();
    // The cheap part of stats(): last position and bytes in tables, WAL and
    // memtables (events and streams left at 0).
    log_stats storage() const;
    // Their sum, for metrics.
    std::uint64_t storage_bytes() const;

  private:
    friend struct log_access;  // engine internals: verify, tests
    explicit event_log(std::shared_ptr<impl> p);
    std::shared_ptr<impl> impl_;
};

}  // namespace belay::engine
