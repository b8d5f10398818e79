#include "group_commit.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <rocksdb/write_batch.h>

#include "belay/engine/codec.hpp"
#include "layout.hpp"

namespace belay::engine {

// What one round has staged but not yet written: heads and client ids seen in
// this round, overlaid on the committed ones.
struct group_commit::round {
    rocksdb::WriteBatch batch;
    std::unordered_map<session_id, std::uint64_t> heads;
    std::unordered_map<std::string, append_result> client_ids;
    std::uint64_t position = 0;
    std::vector<event> committed;
    bool want_events = false;
    // What storage says of each client id in the round, in request order.
    std::vector<std::optional<append_result>> stored_ids;
    std::size_t next_stored_id = 0;
    std::vector<session_id> purged;  // streams this round purges
    // The events staged, so that a purge later in the round deletes them too.
    struct staged_event {
        session_id stream;
        seq s;
        log_position position;
    };
    std::vector<staged_event> staged;
};

// Looks up every client id of the round in one MultiGet: far cheaper than a
// Get per append.
boost::system::error_code group_commit::lookup_client_ids(std::vector<pending_append>& batch,
                                                          round& r) {
    std::vector<std::string> keys;
    for (auto& p : batch)
        for (auto& req : p.requests)
            if (!req.client_id.empty())
                keys.push_back(layout::client_id_key(req.stream, req.client_id));
    r.stored_ids.assign(keys.size(), std::nullopt);
    if (keys.empty()) return {};
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    log_.db->MultiGet(rocksdb::ReadOptions{}, log_.client_ids, keys.size(), slices.data(),
                      values.data(), statuses.data());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (statuses[i].IsNotFound()) continue;
        if (!statuses[i].ok()) return to_error(statuses[i]);
        if (values[i].size() != 16) return errc::corruption;
        r.stored_ids[i] = append_result{log_position{layout::get_be64(values[i].data() + 8)},
                                        seq{layout::get_be64(values[i].data())}, true};
    }
    return {};
}

// An event under its position, and its place in the stream index.
void group_commit::put_event(round& r, session_id stream, seq s, log_position pos,
                             std::string_view record) {
    auto position = layout::position_key(pos);
    r.batch.Put(log_.log, position, record);
    r.batch.Put(log_.streams, layout::stream_key(stream, s), position);
    r.staged.push_back({stream, s, pos});
}

group_commit::group_commit(event_log::impl& log, durability mode, std::size_t max_batch_events)
    : log_(log),
      mode_(mode),
      max_batch_events_(max_batch_events),
      last_position_(log.committed.load()),
      thread_([this] { run(); }) {}

group_commit::~group_commit() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void group_commit::submit(pending_append p) {
    {
        std::unique_lock lock(mutex_);
        auto refusal = stopping_ ? boost::system::error_code(errc::closed)
                                 : (failed_ ? boost::system::error_code(errc::log_failed)
                                            : boost::system::error_code{});
        if (!refusal) {
            queue_.push_back(std::move(p));
            lock.unlock();
            wake_.notify_one();
            return;
        }
        lock.unlock();
        p.done(refusal);
    }
}

boost::system::error_code group_commit::health() const {
    std::lock_guard lock(mutex_);
    return failed_;
}

void group_commit::run() {
    std::vector<pending_append> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and drained
            // A restore is written on its own; appends are grouped.
            std::size_t events = 0;
            while (!queue_.empty() && events < max_batch_events_) {
                if (queue_.front().is_restore && !batch.empty()) break;
                events += queue_.front().requests.size() + queue_.front().restore.size();
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
                if (batch.back().is_restore) break;
            }
        }
        if (batch.size() == 1 && batch.front().is_restore)
            write_restore(batch.front());
        else
            write_round(batch);
        batch.clear();
    }
}

result<seq> group_commit::head(session_id stream, round& r) {
    if (auto it = r.heads.find(stream); it != r.heads.end()) return seq{it->second};
    if (auto it = heads_.find(stream); it != heads_.end()) return seq{it->second};
    auto stored = log_.read_head(stream);
    if (!stored) return stored.error();
    heads_.emplace(stream, stored->value);
    return *stored;
}

bool group_commit::purged(session_id stream, const round& r) const {
    if (std::find(r.purged.begin(), r.purged.end(), stream) != r.purged.end()) return true;
    return log_.is_purged(stream);
}

// Stages the pending's appends into the round. errc::stream_purged refuses
// this pending alone, before anything of it is staged; other errors fail the
// round.
boost::system::error_code group_commit::stage(pending_append& p, round& r,
                                              std::vector<append_result>& results) {
    for (auto& req : p.requests) {
        if (!purged(req.stream, r)) continue;
        for (auto& skipped : p.requests)
            if (!skipped.client_id.empty()) ++r.next_stored_id;
        return errc::stream_purged;
    }
    results.reserve(p.requests.size());
    for (std::size_t i = 0; i < p.requests.size(); ++i) {
        auto& req = p.requests[i];
        std::string cid_key;
        if (!req.client_id.empty()) {
            cid_key = layout::client_id_key(req.stream, req.client_id);
            auto& stored = r.stored_ids[r.next_stored_id++];
            if (auto it = r.client_ids.find(cid_key); it != r.client_ids.end()) {
                results.push_back({it->second.position, it->second.seq, true});
                continue;
            }
            if (stored) {
                results.push_back(*stored);
                continue;
            }
        }
        auto h = head(req.stream, r);
        if (!h) return h.error();
        seq s{h->value + 1};
        log_position pos{++r.position};
        r.heads[req.stream] = s.value;
        stamp_event(p.records[i], pos, s);
        put_event(r, req.stream, s, pos, p.records[i]);
        if (!cid_key.empty()) {
            r.batch.Put(log_.client_ids, cid_key, layout::client_id_value(s, pos));
            r.client_ids.emplace(std::move(cid_key), append_result{pos, s, false});
        }
        results.push_back({pos, s, false});
        if (r.want_events) {
            event e{pos,
                    req.stream,
                    s,
                    req.type,
                    req.recv_time_us,
                    std::move(req.author),
                    std::move(req.client_id),
                    std::move(req.payload)};
            r.committed.push_back(std::move(e));
        }
    }
    return {};
}

// Deletes the streams' events, index entries and client ids and marks them
// purged, in the same batch as the tombstone. The purge's position (the last
// one used) keeps positions from being reused when the purged events were
// the log's last. Keys are deleted one by one, not with DeleteRange: range
// tombstones do not mix with the memtable insert hints.
boost::system::error_code group_commit::stage_purge(const std::vector<session_id>& streams,
                                                    round& r) {
    for (auto stream : streams) {
        auto prefix = layout::client_id_key(stream, {});
        for (auto* cf : {log_.streams, log_.client_ids}) {
            auto end = layout::prefix_end(prefix);
            rocksdb::Slice upper(end);
            rocksdb::ReadOptions ro;
            ro.iterate_upper_bound = &upper;
            std::unique_ptr<rocksdb::Iterator> it(log_.db->NewIterator(ro, cf));
            for (it->Seek(prefix); it->Valid(); it->Next()) {
                if (cf == log_.streams) {
                    log_position p;
                    if (!layout::parse_position({it->value().data(), it->value().size()}, p))
                        return errc::corruption;
                    r.batch.Delete(log_.log, layout::position_key(p));
                }
                r.batch.Delete(cf, it->key());
            }
            if (auto ec = to_error(it->status())) return ec;
        }
        // What this round staged for the stream before the purge (a client
        // still sending as its session is deleted): the batch applies in
        // order, so these deletes undo those puts.
        for (auto& e : r.staged) {
            if (e.stream != stream) continue;
            r.batch.Delete(log_.log, layout::position_key(e.position));
            r.batch.Delete(log_.streams, layout::stream_key(stream, e.s));
        }
        for (auto& [key, ignored] : r.client_ids)
            if (key.starts_with(prefix)) r.batch.Delete(log_.client_ids, key);
        r.batch.Put(log_.meta, layout::purged_key(stream),
                    layout::position_key(log_position{r.position}));
        r.purged.push_back(stream);
    }
    return {};
}

void group_commit::write_round(std::vector<pending_append>& batch) {
    round r;
    r.position = last_position_;
    {
        std::lock_guard lock(log_.listeners_mutex);
        r.want_events = !log_.listeners.empty();
    }
    std::vector<std::vector<append_result>> results(batch.size());
    std::vector<boost::system::error_code> refused(batch.size());
    auto ec = lookup_client_ids(batch, r);
    for (std::size_t i = 0; i < batch.size() && !ec; ++i) {
        ec = stage(batch[i], r, results[i]);
        if (ec == errc::stream_purged) {
            refused[i] = std::exchange(ec, {});
        } else if (!ec && !batch[i].purge.empty()) {
            ec = stage_purge(batch[i].purge, r);
        }
    }
    if (!ec && r.batch.Count() > 0) {
        rocksdb::WriteOptions w;
        w.sync = mode_ == durability::sync;
        ec = to_error(log_.db->Write(w, &r.batch));
    }
    if (ec) {
        fail(ec);
        for (auto& p : batch)
            p.done(ec);
        return;
    }
    for (auto& [stream, s] : r.heads)
        heads_[stream] = s;
    for (auto stream : r.purged) {
        heads_.erase(stream);
        log_.mark_purged(stream);
    }
    last_position_ = r.position;
    log_.publish_commit(log_position{last_position_}, r.committed);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (refused[i])
            batch[i].done(refused[i]);
        else
            batch[i].done(std::move(results[i]));
    }
}

void group_commit::write_restore(pending_append& p) {
    round r;
    r.position = last_position_;
    for (auto& e : p.restore) {
        auto h = head(e.stream, r);
        if (!h) return p.done(h.error());
        if (e.seq.value != h->value + 1 || e.position.value <= r.position)
            return p.done(errc::invalid_argument);
        r.heads[e.stream] = e.seq.value;
        r.position = e.position.value;
        put_event(r, e.stream, e.seq, e.position, encode_event(e));
        if (!e.client_id.empty())
            r.batch.Put(log_.client_ids, layout::client_id_key(e.stream, e.client_id),
                        layout::client_id_value(e.seq, e.position));
    }
    rocksdb::WriteOptions w;
    w.sync = mode_ == durability::sync;
    if (auto ec = to_error(log_.db->Write(w, &r.batch))) {
        fail(ec);
        return p.done(ec);
    }
    for (auto& [stream, s] : r.heads)
        heads_[stream] = s;
    last_position_ = r.position;
    log_.publish_commit(log_position{last_position_}, p.restore);
    p.done(std::vector<append_result>{});
}

// A failed write leaves the log's state unknown (the batch may or may not be
// on disk after a restart), so the writer refuses further writes rather than
// risk reusing a seq or position. Reopening the log recovers a consistent
// state from RocksDB's WAL.
void group_commit::fail(boost::system::error_code ec) {
    std::deque<pending_append> refused;
    {
        std::lock_guard lock(mutex_);
        if (!failed_) failed_ = ec;
        refused.swap(queue_);
    }
    for (auto& p : refused)
        p.done(errc::log_failed);
}

}  // namespace belay::engine
