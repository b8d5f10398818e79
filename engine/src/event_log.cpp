#include "belay/engine/event_log.hpp"

#include <filesystem>

#include "belay/engine/codec.hpp"
#include "cursor.hpp"
#include "group_commit.hpp"
#include "layout.hpp"

namespace belay::engine {

event_log::event_log(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

event_log::~event_log() {
    if (impl_) impl_->writer.reset();  // drain and stop; cursors may keep the DB open
}

result<std::unique_ptr<event_log>> event_log::open(const log_options& options) {
    if (options.data_dir.empty()) return errc::invalid_argument;
    std::error_code fs_ec;
    if (options.create_if_missing) std::filesystem::create_directories(options.data_dir, fs_ec);
    if (fs_ec) return errc::io_error;
    auto p = std::make_shared<impl>();
    p->data_dir = options.data_dir;
    if (auto ec = p->open_db(options.create_if_missing)) return ec;
    p->writer = std::make_unique<group_commit>(*p, options.durability,
                                               std::max<std::size_t>(1, options.max_batch_events));
    return std::unique_ptr<event_log>(new event_log(std::move(p)));
}

result<std::unique_ptr<event_log>> event_log::open_read_only(const std::string& data_dir) {
    if (!std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT"))
        return errc::not_found;
    auto p = std::make_shared<impl>();
    p->data_dir = data_dir;
    if (auto ec = p->open_secondary()) return ec;
    return std::unique_ptr<event_log>(new event_log(std::move(p)));
}

void event_log::append_async(std::vector<append_request> requests, append_callback done) {
    if (impl_->read_only) return done(errc::read_only);
    pending_append p;
    p.records.reserve(requests.size());
    auto now = now_us();
    for (auto& r : requests) {
        if (r.stream.is_nil()) return done(errc::invalid_argument);
        if (r.recv_time_us == 0) r.recv_time_us = now;
        p.records.push_back(encode_unstamped(r.stream, r.type, r.recv_time_us, r.author,
                                             r.client_id, r.payload, r.packed_pose));
    }
    p.requests = std::move(requests);
    p.done = std::move(done);
    impl_->writer->submit(std::move(p));
}

namespace {

// Waits on the calling thread for an async append's outcome. Shared, so that
// the writer's last touch cannot outlive the waiter.
struct waiter : std::enable_shared_from_this<waiter> {
    std::mutex mutex;
    std::condition_variable cv;
    std::optional<result<std::vector<append_result>>> outcome;

    event_log::append_callback callback() {
        return [self = shared_from_this()](result<std::vector<append_result>> r) {
            std::lock_guard lock(self->mutex);
            self->outcome.emplace(std::move(r));
            self->cv.notify_one();
        };
    }
    result<std::vector<append_result>> wait() {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return outcome.has_value(); });
        return std::move(*outcome);
    }
};

}  // namespace

result<std::vector<append_result>> event_log::append_batch(std::vector<append_request> requests) {
    auto w = std::make_shared<waiter>();
    append_async(std::move(requests), w->callback());
    return w->wait();
}

result<append_result> event_log::append(append_request request) {
    std::vector<append_request> one;
    one.push_back(std::move(request));
    auto r = append_batch(std::move(one));
    if (!r) return r.error();
    return r->front();
}

result<void> event_log::restore(std::vector<event> events) {
    if (impl_->read_only) return errc::read_only;
    auto w = std::make_shared<waiter>();
    pending_append p;
    p.is_restore = true;
    p.restore = std::move(events);
    p.done = w->callback();
    impl_->writer->submit(std::move(p));
    if (auto r = w->wait(); !r) return r.error();
    return {};
}

result<append_result> event_log::purge_streams(std::vector<session_id> streams,
                                               append_request tombstone) {
    if (impl_->read_only) return errc::read_only;
    for (auto s : streams)
        if (s.is_nil() || s == tombstone.stream) return errc::invalid_argument;
    auto w = std::make_shared<waiter>();
    pending_append p;
    if (tombstone.recv_time_us == 0) tombstone.recv_time_us = now_us();
    p.records.push_back(encode_unstamped(tombstone.stream, tombstone.type, tombstone.recv_time_us,
                                         tombstone.author, tombstone.client_id, tombstone.payload));
    p.requests.push_back(std::move(tombstone));
    p.purge = std::move(streams);
    p.done = w->callback();
    impl_->writer->submit(std::move(p));
    auto r = w->wait();
    if (!r) return r.error();
    return r->front();
}

bool event_log::is_purged(session_id stream) const {
    return impl_->is_purged(stream);
}

result<void> event_log::write_checkpoint(std::string_view name, const checkpoint& c) {
    if (impl_->read_only) return errc::read_only;
    std::string value = layout::position_key(c.position);
    value.append(c.bytes);
    rocksdb::WriteOptions w;
    w.sync = true;
    if (auto ec = to_error(impl_->db->Put(w, impl_->meta, layout::checkpoint_key(name), value)))
        return ec;
    return {};
}

result<std::optional<checkpoint>> event_log::read_checkpoint(std::string_view name) {
    std::string value;
    auto s =
        impl_->db->Get(rocksdb::ReadOptions{}, impl_->meta, layout::checkpoint_key(name), &value);
    if (s.IsNotFound()) return std::optional<checkpoint>{};
    if (!s.ok()) return to_error(s);
    if (value.size() < 8) return errc::corruption;
    checkpoint c{log_position{layout::get_be64(value.data())}, value.substr(8)};
    return std::optional<checkpoint>{std::move(c)};
}

log_stats event_log::storage() const {
    log_stats out;
    out.last_position = last_position();
    for (auto* cf : impl_->handles) {
        std::uint64_t v = 0;
        if (impl_->db->GetIntProperty(cf, "rocksdb.total-sst-files-size", &v)) out.sst_bytes += v;
        if (impl_->db->GetIntProperty(cf, "rocksdb.cur-size-all-mem-tables", &v))
            out.memtable_bytes += v;
    }
    std::error_code fs_ec;
    for (auto& entry : std::filesystem::directory_iterator(impl_->data_dir, fs_ec))
        if (entry.path().extension() == ".log") out.wal_bytes += entry.file_size(fs_ec);
    return out;
}

std::uint64_t event_log::storage_bytes() const {
    auto s = storage();
    return s.sst_bytes + s.wal_bytes + s.memtable_bytes;
}

log_cursor event_log::read_stream(session_id stream, seq from) {
    return log_cursor(make_stream_cursor(impl_, stream, from));
}

log_cursor event_log::read_log(log_position after) {
    return log_cursor(make_log_cursor(impl_, after));
}

result<event> event_log::read_event(session_id stream, seq s) {
    rocksdb::PinnableSlice value;
    auto status = impl_->db->Get(rocksdb::ReadOptions{}, impl_->streams,
                                 layout::stream_key(stream, s), &value);
    if (!status.ok()) return to_error(status);
    log_position p;
    if (!layout::parse_position({value.data(), value.size()}, p)) return errc::corruption;
    if (p.value > impl_->readable()) return errc::not_found;  // not durable yet
    value.Reset();
    status = impl_->db->Get(rocksdb::ReadOptions{}, impl_->log, layout::position_key(p), &value);
    if (status.IsNotFound()) {
        // Purged between the two reads, or an index entry without its event.
        auto indexed = impl_->still_indexed(stream, s);
        if (!indexed) return indexed.error();
        return *indexed ? errc::corruption : errc::not_found;
    }
    if (!status.ok()) return to_error(status);
    auto e = decode_event({value.data(), value.size()});
    if (e && (e->stream != stream || e->seq != s)) return errc::corruption;
    return e;
}

result<seq> event_log::stream_head(session_id stream) {
    return impl_->read_head(stream, impl_->readable());
}

log_position event_log::last_position() const {
    return log_position{impl_->committed.load(std::memory_order_acquire)};
}

void event_log::add_commit_listener(commit_listener listener) {
    std::lock_guard lock(impl_->listeners_mutex);
    impl_->listeners.push_back(std::move(listener));
}

log_position event_log::wait_for_commit(log_position after, std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->commit_mutex);
    impl_->commit_cv.wait_for(lock, timeout, [&] { return impl_->committed.load() > after.value; });
    return last_position();
}

result<void> event_log::refresh() {
    if (!impl_->read_only) return {};
    if (auto ec = to_error(impl_->db->TryCatchUpWithPrimary())) return ec;
    if (auto ec = impl_->load_purged()) return ec;
    if (auto ec = impl_->load_committed()) return ec;
    return {};
}

bool event_log::read_only() const {
    return impl_->read_only;
}

boost::system::error_code event_log::write_health() const {
    if (impl_->read_only) return errc::read_only;
    return impl_->writer ? impl_->writer->health() : boost::system::error_code(errc::closed);
}

result<log_stats> event_log::stats() {
    auto out = storage();
    // The stream index has every event: counting its keys reads no event.
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->streams));
    session_id previous;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        session_id stream;
        seq s;
        if (!layout::parse_stream_key({it->key().data(), it->key().size()}, stream, s))
            return errc::corruption;
        ++out.events;
        if (out.streams == 0 || stream != previous) ++out.streams;
        previous = stream;
    }
    if (auto ec = to_error(it->status())) return ec;
    return out;
}

}  // namespace belay::engine
