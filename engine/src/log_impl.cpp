#include "log_impl.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "group_commit.hpp"
#include "layout.hpp"

namespace belay::engine {
namespace {

rocksdb::ColumnFamilyOptions stream_keyed_options() {
    rocksdb::ColumnFamilyOptions cf;
    cf.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(16));
    cf.memtable_prefix_bloom_size_ratio = 0.05;
    // Client-id lookups are point lookups that mostly miss: a whole-key bloom
    // in the memtable answers them without searching it.
    cf.memtable_whole_key_filtering = true;
    // Within a stream, keys arrive in order: remembering where the stream's
    // last insert went turns most memtable inserts from a skiplist search
    // into a step.
    cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(16));
    // The indexes' tables span every live stream, so their flushes cost per
    // entry, not per byte: small memtables keep each flush short (a 4 MiB
    // one holds some 58,000 entries, about 50 ms of the flush thread), where
    // 16 and 32 MiB ones took it 0.2 and 0.3 s at a time, long enough to
    // show in the gym's p99. Compactions wait for 16 tables, so they come
    // no more often than they did with the larger memtables; reads check
    // more tables' filters meanwhile (a million-event replay: -15 %).
    cf.write_buffer_size = 4 << 20;
    // Tiered ("universal") compaction: every table spans every live stream,
    // so a leveled L0→L1 compaction rewrote all of L1, a cost that grew with
    // the log (18.9 % of belayd's CPU 40–50 s into a 2.4 KB ingest). Tiered
    // merges runs of similar size, so an entry is rewritten a logarithmic
    // number of times (5.3 % in the same window). A leveled log opens as is:
    // its levels are sorted runs in the right order.
    cf.compaction_style = rocksdb::kCompactionStyleUniversal;
    cf.level0_file_num_compaction_trigger = 16;
    cf.level0_slowdown_writes_trigger = 48;
    cf.level0_stop_writes_trigger = 64;
    cf.compression = rocksdb::kLZ4Compression;
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return cf;
}

// The events, keyed by position. Keys only grow, so each flush writes a
// table after the last one and compactions are trivial moves (which need the
// same compression on every level: LZ4, once, at the flush). No bloom
// filter: every lookup is of a key that exists.
rocksdb::ColumnFamilyOptions log_options() {
    rocksdb::ColumnFamilyOptions cf;
    cf.write_buffer_size = 64 << 20;
    cf.compression = rocksdb::kLZ4Compression;
    rocksdb::BlockBasedTableOptions table;
    table.block_size = 16 * 1024;
    cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    return cf;
}

bool contains(const std::vector<std::string>& names, const char* name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The column families to open: the current format's, and format 1's where
// they exist.
std::vector<rocksdb::ColumnFamilyDescriptor> descriptors(const std::vector<std::string>& existing) {
    std::vector<rocksdb::ColumnFamilyDescriptor> out{
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions{}},
        {layout::log_cf, log_options()},
        {layout::streams_cf, stream_keyed_options()},
        {layout::client_ids_cf, stream_keyed_options()},
        {layout::meta_cf, rocksdb::ColumnFamilyOptions{}},
    };
    for (auto* v1 : {layout::v1_events_cf, layout::v1_global_cf})
        if (contains(existing, v1)) out.emplace_back(v1, rocksdb::ColumnFamilyOptions{});
    return out;
}

// RocksDB's messages go to stderr rather than a LOG file in the data
// directory: on a failing disk that file fails too, and Debian's RocksDB
// (assertions on) aborts at the next line written to a failed file.
class stderr_logger final : public rocksdb::Logger {
  public:
    using rocksdb::Logger::Logv;
    explicit stderr_logger(rocksdb::InfoLogLevel level) : rocksdb::Logger(level) {}
    void Logv(const char* format, va_list ap) override {
        char line[1024];
        std::vsnprintf(line, sizeof line, format, ap);
        std::fprintf(stderr, "rocksdb: %s\n", line);
    }
};

rocksdb::DBOptions db_options() {
    rocksdb::DBOptions o;
    o.max_background_jobs = 2;
    o.bytes_per_sync = 1 << 20;
    o.keep_log_file_num = 4;
    // The WAL is kept until every column family has flushed what it holds;
    // past this bound RocksDB forces flushes of whatever holds the oldest.
    // 256 MiB forced the indexes (then 16 and 32 MiB memtables) to flush
    // every 3.5 s at 1,000 gym sessions, a third of a second of one core
    // each time; with their 4 MiB memtables it still gave the gym more slow
    // quarter seconds. It also bounds what a recovery after a crash replays.
    o.max_total_wal_size = std::uint64_t{1} << 30;
    o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
    o.info_log = std::make_shared<stderr_logger>(o.info_log_level);
    // One writer thread: concurrent memtable inserts would only add overhead
    // (and would disable insert hints).
    o.allow_concurrent_memtable_write = false;
    // After a write error the log refuses writes until it is reopened (the
    // failed batch's fate is unknown). RocksDB must not try to resume on its
    // own either: it would sync the failed WAL writer again, which Debian's
    // build (assertions on) aborts on.
    o.max_bgerror_resume_count = 0;
    return o;
}

}  // namespace

boost::system::error_code to_error(const rocksdb::Status& status) {
    if (status.ok()) return {};
    if (status.IsNotFound()) return errc::not_found;
    if (status.IsCorruption()) return errc::corruption;
    if (status.IsIOError() && status.ToString().find("lock") != std::string::npos)
        return errc::busy;
    if (status.IsInvalidArgument()) return errc::invalid_argument;
    return errc::io_error;
}

event_log::impl::~impl() {
    writer.reset();  // drains queued appends first
    if (db) {
        for (auto* h : handles)
            db->DestroyColumnFamilyHandle(h);
        handles.clear();
        db->Close().PermitUncheckedError();
        db.reset();
    }
    if (!secondary_dir.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(secondary_dir, ignored);
    }
}

void event_log::impl::assign_handles(const std::vector<rocksdb::ColumnFamilyDescriptor>& names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto& name = names[i].name;
        auto* h = handles[i];
        if (name == layout::log_cf) log = h;
        if (name == layout::streams_cf) streams = h;
        if (name == layout::client_ids_cf) client_ids = h;
        if (name == layout::meta_cf) meta = h;
        if (name == layout::v1_events_cf) v1_events = h;
        if (name == layout::v1_global_cf) v1_global = h;
    }
}

boost::system::error_code event_log::impl::open_db(bool create_if_missing) {
    auto options = db_options();
    options.create_if_missing = create_if_missing;
    options.create_missing_column_families = true;
    std::vector<std::string> existing;  // stays empty for a new log
    rocksdb::DB::ListColumnFamilies(options, data_dir, &existing).PermitUncheckedError();
    auto names = descriptors(existing);
    rocksdb::DB* raw = nullptr;
    auto status = rocksdb::DB::Open(options, data_dir, names, &handles, &raw);
    if (!status.ok()) return to_error(status);
    db.reset(raw);
    assign_handles(names);
    std::string format;
    auto s = db->Get(rocksdb::ReadOptions{}, meta, "format", &format);
    if (s.IsNotFound() && !v1_events && !v1_global) {
        rocksdb::WriteOptions w;
        w.sync = true;
        s = db->Put(w, meta, "format", layout::format);
    } else if (s.ok() && format == "1" && v1_events) {
        if (auto ec = convert_v1()) {
            // Leave the log as it was, format 1's column families only, so
            // that an earlier belayd still opens it.
            for (auto* cf : {log, streams})
                db->DropColumnFamily(cf).PermitUncheckedError();
            return ec;
        }
    } else if (s.ok() && (format == layout::format || format == layout::format_2)) {
        if (auto ec = drop_v1()) return ec;  // a conversion stopped before its end
        if (format == layout::format_2) {
            // Format 2's records are format 3's (every payload JSON): only
            // the mark changes, so that an earlier belayd, which cannot read
            // a packed pose, refuses the log rather than fail on its events.
            rocksdb::WriteOptions w;
            w.sync = true;
            s = db->Put(w, meta, "format", layout::format);
        }
    } else if (s.ok() && layout::is_later_format(format)) {
        return errc::new_format;
    } else if (s.ok() || s.IsNotFound()) {
        return errc::corruption;
    }
    if (!s.ok()) return to_error(s);
    if (auto ec = load_purged()) return ec;
    return load_committed();
}

boost::system::error_code event_log::impl::open_secondary() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "belay-secondary-XXXXXX").string();
    if (!mkdtemp(pattern.data())) return errc::io_error;
    secondary_dir = pattern;
    auto options = db_options();
    options.max_open_files = -1;  // required by secondary instances
    std::vector<std::string> existing;
    auto listed = rocksdb::DB::ListColumnFamilies(options, data_dir, &existing);
    if (!listed.ok()) {
        if (!std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT"))
            return errc::not_found;
        return to_error(listed);
    }
    // A format 1 log is converted by its first writable open, never here.
    if (contains(existing, layout::v1_events_cf) && !contains(existing, layout::log_cf))
        return errc::old_format;
    auto names = descriptors(existing);
    // A secondary replays the WAL into memtables it never flushes: with the
    // indexes' small memtables RocksDB would warn, for every one past the
    // second, that it stops writes this instance never makes.
    for (auto& d : names)
        d.options.max_write_buffer_number = 1 << 16;
    rocksdb::DB* raw = nullptr;
    auto status =
        rocksdb::DB::OpenAsSecondary(options, data_dir, secondary_dir, names, &handles, &raw);
    if (!status.ok()) {
        if (status.IsInvalidArgument() || status.IsPathNotFound() || status.IsIOError())
            if (!std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT"))
                return errc::not_found;
        return to_error(status);
    }
    db.reset(raw);
    assign_handles(names);
    read_only = true;
    // Format 1's column families beside the current format's: a conversion under way
    // (its mark still 1: refused) or, with a later mark, what a crash between
    // the conversion's mark and its drops leaves. Then the log is the later
    // format, and they are ignored until a writable open drops them.
    std::string format;
    auto s = db->Get(rocksdb::ReadOptions{}, meta, "format", &format);
    if (!s.ok() && !s.IsNotFound()) return to_error(s);
    if (s.ok() && layout::is_later_format(format)) return errc::new_format;
    if ((v1_events || v1_global) &&
        (!s.ok() || (format != layout::format && format != layout::format_2)))
        return errc::old_format;
    if (auto ec = load_purged()) return ec;
    return load_committed();
}

boost::system::error_code event_log::impl::load_purged() {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions{}, meta));
    std::lock_guard lock(purged_mutex);
    for (it->Seek(rocksdb::Slice(layout::purged_prefix.data(), layout::purged_prefix.size()));
         it->Valid() && it->key().starts_with(rocksdb::Slice(layout::purged_prefix.data(),
                                                             layout::purged_prefix.size()));
         it->Next()) {
        if (it->key().size() != layout::purged_prefix.size() + 16 || it->value().size() != 8)
            return errc::corruption;
        session_id::bytes_type bytes;
        std::memcpy(bytes.data(), it->key().data() + layout::purged_prefix.size(), 16);
        purged.insert(session_id{bytes});
        last_purge_position = std::max(last_purge_position, layout::get_be64(it->value().data()));
    }
    return to_error(it->status());
}

bool event_log::impl::is_purged(session_id stream) const {
    std::lock_guard lock(purged_mutex);
    return purged.count(stream) > 0;
}

void event_log::impl::mark_purged(session_id stream) {
    std::lock_guard lock(purged_mutex);
    purged.insert(stream);
}

boost::system::error_code event_log::impl::load_committed() {
    std::uint64_t last = 0;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions{}, log));
    it->SeekToLast();
    if (it->Valid()) {
        log_position p;
        if (!layout::parse_position({it->key().data(), it->key().size()}, p))
            return errc::corruption;
        last = p.value;
    }
    if (auto ec = to_error(it->status())) return ec;
    {
        std::lock_guard lock(purged_mutex);
        last = std::max(last, last_purge_position);
    }
    committed.store(last, std::memory_order_release);
    return {};
}

result<seq> event_log::impl::read_head(session_id stream, std::uint64_t up_to) {
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, streams));
    for (it->SeekForPrev(layout::stream_key(stream, seq{UINT64_MAX})); it->Valid(); it->Prev()) {
        session_id found;
        seq s;
        log_position p;
        if (!layout::parse_stream_key({it->key().data(), it->key().size()}, found, s) ||
            !layout::parse_position({it->value().data(), it->value().size()}, p))
            return errc::corruption;
        if (found != stream) break;
        if (p.value <= up_to) return s;
    }
    if (auto ec = to_error(it->status())) return ec;
    return seq{0};
}

result<bool> event_log::impl::still_indexed(session_id stream, seq s) {
    std::string ignored;
    auto status = db->Get(rocksdb::ReadOptions{}, streams, layout::stream_key(stream, s), &ignored);
    if (status.IsNotFound()) return false;
    if (!status.ok()) return {boost::system::in_place_error, to_error(status)};
    return true;
}

void event_log::impl::publish_commit(log_position last,
                                     const std::vector<event>& committed_events) {
    {
        std::lock_guard lock(commit_mutex);
        committed.store(last.value, std::memory_order_release);
    }
    commit_cv.notify_all();
    if (committed_events.empty()) return;
    std::lock_guard lock(listeners_mutex);
    for (auto& listener : listeners)
        listener(committed_events);
}

}  // namespace belay::engine
