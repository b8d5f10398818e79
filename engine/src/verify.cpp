#include "belay/engine/verify.hpp"

#include <algorithm>
#include <cstring>
#include <span>
#include <unordered_map>

#include <fmt/format.h>

#include "belay/engine/codec.hpp"
#include "belay/engine/validate.hpp"
#include "layout.hpp"
#include "log_impl.hpp"

namespace belay::engine {
namespace {

class checker {
  public:
    checker(event_log::impl& log, std::size_t max_faults) : log_(log), max_faults_(max_faults) {}

    template <class... Args>
    void fault(fmt::format_string<Args...> f, Args&&... args) {
        ++report_.fault_count;
        if (report_.faults.size() < max_faults_)
            report_.faults.push_back(fmt::format(f, std::forward<Args>(args)...));
    }

    boost::system::error_code check_index();
    boost::system::error_code check_log();
    boost::system::error_code check_client_ids();
    verify_report take() { return std::move(report_); }

  private:
    struct located {
        std::uint64_t position;
        session_id stream;
        std::uint64_t seq;
    };
    static std::string describe(session_id stream, std::uint64_t s) {
        return fmt::format("stream {} seq {}", stream.to_string(), s);
    }
    static std::string describe(const located& l) { return describe(l.stream, l.seq); }
    void check_index_entry(std::string_view key, std::string_view value);
    // Checks the record at `position` and the index entries pointing at it.
    void check_record(std::uint64_t position, std::string_view value,
                      std::span<const located> indexed);

    event_log::impl& log_;
    std::size_t max_faults_;
    verify_report report_;
    std::unordered_map<session_id, std::uint64_t> heads_;
    session_id stream_;
    std::uint64_t last_seq_ = 0;
    std::uint64_t last_position_ = 0;
    event scratch_;
    std::vector<located> indexed_;  // every index entry, for the check of `log`
};

void checker::check_index_entry(std::string_view key, std::string_view value) {
    session_id stream;
    seq s;
    if (!layout::parse_stream_key(key, stream, s)) {
        fault("streams: a key of {} bytes is not a stream key", key.size());
        return;
    }
    auto where = describe(stream, s.value);
    if (report_.index_entries == 0 || stream != stream_) {
        ++report_.streams;
        stream_ = stream;
        last_seq_ = 0;
        last_position_ = 0;
    }
    ++report_.index_entries;
    if (log_.is_purged(stream)) fault("{}: the stream was purged, its index entry remains", where);
    if (s.value != last_seq_ + 1)
        fault("{}: gap, expected seq {} after {}", where, last_seq_ + 1, last_seq_);
    last_seq_ = s.value;
    heads_[stream] = s.value;
    log_position p;
    if (!layout::parse_position(value, p))
        return fault("{}: the index value is not a position", where);
    if (p.value <= last_position_)
        fault("{}: position {} does not increase along the stream", where, p.value);
    last_position_ = p.value;
    indexed_.push_back({p.value, stream, s.value});
}

boost::system::error_code checker::check_index() {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(log_.db->NewIterator(ro, log_.streams));
    for (it->SeekToFirst(); it->Valid(); it->Next())
        check_index_entry({it->key().data(), it->key().size()},
                          {it->value().data(), it->value().size()});
    return to_error(it->status());
}

void checker::check_record(std::uint64_t position, std::string_view value,
                           std::span<const located> indexed) {
    auto where = fmt::format("position {}", position);
    if (decode_event(value, scratch_)) return fault("{}: the record does not decode", where);
    if (scratch_.position.value != position)
        fault("{}: the record says position {}", where, scratch_.position.value);
    if (!is_valid_json(scratch_.payload)) fault("{}: the payload is not valid JSON", where);
    auto what = describe(scratch_.stream, scratch_.seq.value);
    if (indexed.empty()) fault("{} ({}) is missing from the stream index", what, where);
    for (auto& l : indexed)
        if (l.stream != scratch_.stream || l.seq != scratch_.seq.value)
            fault("the index maps {} to {}, which holds {}", describe(l), where, what);
}

// Walks `log` in position order beside the index entries sorted by
// position: every event must be indexed once, and every entry an event's.
boost::system::error_code checker::check_log() {
    std::sort(indexed_.begin(), indexed_.end(),
              [](const located& a, const located& b) { return a.position < b.position; });
    for (std::size_t i = 1; i < indexed_.size(); ++i)
        if (indexed_[i].position == indexed_[i - 1].position)
            fault("position {} is indexed twice ({} and {})", indexed_[i].position,
                  describe(indexed_[i - 1]), describe(indexed_[i]));
    std::size_t next = 0;  // the first index entry not yet matched with an event
    auto points_at_nothing = [&](const located& l) {
        fault("{} points at position {}, which has no event", describe(l), l.position);
    };
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    ro.readahead_size = 2 << 20;
    std::unique_ptr<rocksdb::Iterator> it(log_.db->NewIterator(ro, log_.log));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report_.events;
        log_position p;
        if (!layout::parse_position({it->key().data(), it->key().size()}, p)) {
            fault("log: a key of {} bytes is not a position", it->key().size());
            continue;
        }
        for (; next < indexed_.size() && indexed_[next].position < p.value; ++next)
            points_at_nothing(indexed_[next]);
        auto first = next;
        while (next < indexed_.size() && indexed_[next].position == p.value)
            ++next;
        check_record(p.value, {it->value().data(), it->value().size()},
                     std::span(indexed_).subspan(first, next - first));
    }
    for (; next < indexed_.size(); ++next)
        points_at_nothing(indexed_[next]);
    if (report_.index_entries != report_.events)
        fault("{} index entries for {} events", report_.index_entries, report_.events);
    return to_error(it->status());
}

boost::system::error_code checker::check_client_ids() {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    std::unique_ptr<rocksdb::Iterator> it(log_.db->NewIterator(ro, log_.client_ids));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report_.client_ids;
        if (it->key().size() <= 16 || it->value().size() != 16) {
            fault("client_ids: malformed entry {}", report_.client_ids);
            continue;
        }
        session_id::bytes_type bytes;
        std::memcpy(bytes.data(), it->key().data(), 16);
        session_id stream{bytes};
        auto s = layout::get_be64(it->value().data());
        auto head = heads_.find(stream);
        if (s == 0 || head == heads_.end() || s > head->second)
            fault("client_ids: stream {} client id \"{}\" points at missing seq {}",
                  stream.to_string(), it->key().ToString().substr(16), s);
    }
    return to_error(it->status());
}

}  // namespace

result<verify_report> verify_log(event_log& log, std::size_t max_faults) {
    checker c(log_access::of(log), max_faults);
    if (auto ec = c.check_index()) return ec;
    if (auto ec = c.check_log()) return ec;
    if (auto ec = c.check_client_ids()) return ec;
    return c.take();
}

}  // namespace belay::engine
