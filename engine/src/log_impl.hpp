#pragma once
// The shared state behind event_log and its cursors. Cursors hold a
// shared_ptr to it, so RocksDB is closed only after the last of them is gone.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include <rocksdb/db.h>

#include "belay/engine/event_log.hpp"

namespace belay::engine {

class group_commit;

// rocksdb::Status → engine error code.
boost::system::error_code to_error(const rocksdb::Status& status);

struct event_log::impl {
    ~impl();

    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::ColumnFamilyHandle* log = nullptr;      // position → event
    rocksdb::ColumnFamilyHandle* streams = nullptr;  // stream ‖ seq → position
    rocksdb::ColumnFamilyHandle* client_ids = nullptr;
    rocksdb::ColumnFamilyHandle* meta = nullptr;
    // Format 1's column families, while a log still has them (layout.hpp).
    rocksdb::ColumnFamilyHandle* v1_events = nullptr;
    rocksdb::ColumnFamilyHandle* v1_global = nullptr;

    std::string data_dir;
    std::string secondary_dir;  // read-only instances: removed on close
    bool read_only = false;

    // The last committed (durable, published) position, and a wake-up for
    // those waiting on it.
    std::atomic<std::uint64_t> committed{0};
    std::mutex commit_mutex;
    std::condition_variable commit_cv;

    std::mutex listeners_mutex;
    std::vector<commit_listener> listeners;

    std::unique_ptr<group_commit> writer;

    // Purged streams (loaded at open and at a read-only refresh; the writer
    // adds to them), and the last position a loaded purge used.
    mutable std::mutex purged_mutex;
    std::unordered_set<session_id> purged;
    std::uint64_t last_purge_position = 0;
    bool is_purged(session_id stream) const;
    void mark_purged(session_id stream);
    [[nodiscard]] boost::system::error_code load_purged();

    void assign_handles(const std::vector<rocksdb::ColumnFamilyDescriptor>& names);
    // Opens RocksDB with the log's column families; a format 1 log is
    // converted first (migrate.cpp).
    [[nodiscard]] boost::system::error_code open_db(bool create_if_missing);
    [[nodiscard]] boost::system::error_code open_secondary();
    // Reads the last position used into `committed`: the last event's, or a
    // later purge's (a purge deletes events, never their positions' use;
    // load_purged() first).
    [[nodiscard]] boost::system::error_code load_committed();
    // Writes format 1's events into `log` and `streams`, marks the log
    // with the current format, and drops format 1's column families.
    [[nodiscard]] boost::system::error_code convert_v1();
    [[nodiscard]] boost::system::error_code drop_v1();
    // The stream's last seq at a position up to `up_to`, read from storage.
    [[nodiscard]] result<seq> read_head(session_id stream, std::uint64_t up_to = UINT64_MAX);
    // Readers stop at this position: what is past it may be in RocksDB
    // before its round is durable and published.
    std::uint64_t readable() const { return committed.load(std::memory_order_acquire); }
    // Whether the stream index has (stream, s) now. A reader that found an
    // index entry and then no event asks: gone from the index means purged
    // in between, still there means corruption.
    [[nodiscard]] result<bool> still_indexed(session_id stream, seq s);
    void publish_commit(log_position last, const std::vector<event>& events);
};

// Reaches the internals of an event_log (verify, engine tests).
struct log_access {
    static event_log::impl& of(event_log& log) { return *log.impl_; }
};

}  // namespace belay::engine
