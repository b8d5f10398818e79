// Converts a format 1 log (events keyed by stream ‖ seq, layout.hpp) to
// the current format (keyed by position, with a stream index), at its first
// writable open.
//
// The conversion writes every event into `log` and `streams` in batches,
// checks that no two of them shared a position, then marks the log with the
// current format in a synced write, then drops format 1's column families. Until the
// mark, the old events are untouched: a conversion that stops (a crash, a
// full disk) starts over at the next open and writes the same keys again;
// one that fails (a record that does not decode, two at one position) drops
// the new column families again (log_impl.cpp). After the mark, an open
// that still finds format 1's column families only drops them.

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <rocksdb/write_batch.h>

#include "belay/engine/codec.hpp"
#include "layout.hpp"
#include "log_impl.hpp"

namespace belay::engine {

boost::system::error_code event_log::impl::convert_v1() {
    constexpr std::size_t batch_bytes = 8 << 20;
    // A large log takes a while, and the server does not answer meanwhile:
    // say so, on stderr like RocksDB's own messages.
    std::fprintf(stderr, "belay: converting the log in %s to format %s...\n", data_dir.c_str(),
                 layout::format);
    auto start = std::chrono::steady_clock::now();
    std::uint64_t converted = 0;
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
    rocksdb::WriteOptions unsynced;
    rocksdb::WriteBatch batch;
    event e;
    {
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, v1_events));
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            std::string_view key(it->key().data(), it->key().size());
            std::string_view value(it->value().data(), it->value().size());
            session_id stream;
            seq s;
            if (!layout::parse_stream_key(key, stream, s) || decode_event(value, e) ||
                e.stream != stream || e.seq != s || e.position.value == 0)
                return errc::corruption;
            auto position = layout::position_key(e.position);
            batch.Put(log, position, it->value());
            batch.Put(streams, it->key(), position);
            ++converted;
            if (batch.GetDataSize() >= batch_bytes) {
                if (auto ec = to_error(db->Write(unsynced, &batch))) return ec;
                batch.Clear();
            }
        }
        if (auto ec = to_error(it->status())) return ec;
    }
    if (auto ec = to_error(db->Write(unsynced, &batch))) return ec;
    batch.Clear();
    // Two records claiming one position would have kept only the last.
    std::uint64_t stored = 0;
    {
        std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, log));
        for (it->SeekToFirst(); it->Valid(); it->Next())
            ++stored;
        if (auto ec = to_error(it->status())) return ec;
    }
    if (stored != converted) return errc::corruption;
    batch.Put(meta, "format", layout::format);
    rocksdb::WriteOptions synced;
    synced.sync = true;
    if (auto ec = to_error(db->Write(synced, &batch))) return ec;
    if (auto ec = drop_v1()) return ec;
    std::fprintf(stderr, "belay: converted %llu events in %.1f s\n",
                 static_cast<unsigned long long>(converted),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return {};
}

boost::system::error_code event_log::impl::drop_v1() {
    for (auto** cf : {&v1_events, &v1_global}) {
        if (!*cf) continue;
        if (auto ec = to_error(db->DropColumnFamily(*cf))) return ec;
        handles.erase(std::find(handles.begin(), handles.end(), *cf));
        db->DestroyColumnFamilyHandle(*cf).PermitUncheckedError();
        *cf = nullptr;
    }
    return {};
}

}  // namespace belay::engine
