#include "belay/engine/verify.hpp"

#include <algorithm>
#include <cstring>
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

    boost::system::error_code check_events();
    boost::system::error_code check_index();
    boost::system::error_code check_client_ids();
    verify_report take() { return std::move(report_); }

  private:
    struct located {
        std::uint64_t position;
        session_id stream;
        std::uint64_t seq;
    };
    static std::string describe(const located& l) {
        return fmt::format("stream {} seq {}", l.stream.to_string(), l.seq);
    }
    void check_event(std::string_view key, std::string_view value);

    event_log::impl& log_;
    std::size_t max_faults_;
    verify_report report_;
    std::unordered_map<session_id, std::uint64_t> heads_;
    session_id stream_;
    std::uint64_t last_seq_ = 0;
    std::uint64_t last_position_ = 0;
    event scratch_;
    std::vector<located> positions_;  // every event's position, for the index check
};

void checker::check_event(std::string_view key, std::string_view value) {
    session_id stream;
    seq s;
    if (!layout::parse_stream_key(key, stream, s)) {
        fault("events: a key of {} bytes is not a stream key", key.size());
        return;
    }
    auto where = fmt::format("stream {} seq {}", stream.to_string(), s.value);
    if (report_.events == 0 || stream != stream_) {
        ++report_.streams;
        stream_ = stream;
        last_seq_ = 0;
        last_position_ = 0;
    }
    ++report_.events;
    if (s.value != last_seq_ + 1)
        fault("{}: gap, expected seq {} after {}", where, last_seq_ + 1, last_seq_);
    last_seq_ = s.value;
    heads_[stream] = s.value;
    if (decode_event(value, scratch_)) return fault("{}: the record does not decode", where);
    if (scratch_.stream != stream || scratch_.seq != s)
        fault("{}: the record says stream {} seq {}", where, scratch_.stream.to_string(),
              scratch_.seq.value);
    if (scratch_.position.value <= last_position_)
        fault("{}: position {} does not increase along the stream", where, scratch_.position.value);
    last_position_ = scratch_.position.value;
    if (!is_valid_json(scratch_.payload)) fault("{}: the payload is not valid JSON", where);
    positions_.push_back({scratch_.position.value, stream, s.value});
}

boost::system::error_code checker::check_events() {
    rocksdb::ReadOptions ro;
    ro.total_order_seek = true;
    ro.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(log_.db->NewIterator(ro, log_.events));
    for (it->SeekToFirst(); it->Valid(); it->Next())
        check_event({it->key().data(), it->key().size()}, {it->value().data(), it->value().size()});
    return to_error(it->status());
}

// Walks the index in position order beside the events sorted by position:
// every indexed position must be exactly one event's, and every event indexed.
boost::system::error_code checker::check_index() {
    std::sort(positions_.begin(), positions_.end(),
              [](const located& a, const located& b) { return a.position < b.position; });
    for (std::size_t i = 1; i < positions_.size(); ++i)
        if (positions_[i].position == positions_[i - 1].position)
            fault("position {} is used by two events ({} and {})", positions_[i].position,
                  describe(positions_[i - 1]), describe(positions_[i]));
    std::size_t next = 0;  // the first event not yet matched with an index entry
    std::uint64_t previous_last = 0;
    std::unique_ptr<rocksdb::Iterator> it(
        log_.db->NewIterator(rocksdb::ReadOptions{}, log_.global));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        layout::index_entry entry;
        if (!layout::parse_index_entry({it->key().data(), it->key().size()},
                                       {it->value().data(), it->value().size()}, entry)) {
            fault("global: a malformed index entry after position {}", previous_last);
            continue;
        }
        if (entry.first <= previous_last)
            fault("global: the entry at position {} overlaps the one before", entry.first);
        previous_last = std::max(previous_last, entry.last());
        for (std::uint64_t p = entry.first; p <= entry.last(); ++p) {
            ++report_.index_entries;
            for (; next < positions_.size() && positions_[next].position < p; ++next)
                fault("{} (position {}) is missing from the global index",
                      describe(positions_[next]), positions_[next].position);
            session_id stream;
            seq s;
            layout::parse_stream_key(entry.key(p - entry.first), stream, s);
            if (log_.is_purged(stream) &&
                (next == positions_.size() || positions_[next].position != p)) {
                --report_.index_entries;  // an event purged on purpose
                ++report_.purged_positions;
                continue;
            }
            if (next == positions_.size() || positions_[next].position != p) {
                fault("global: position {} points at stream {} seq {}, which has no such event", p,
                      stream.to_string(), s.value);
                continue;
            }
            if (positions_[next].stream != stream || positions_[next].seq != s.value)
                fault("global: the index maps position {} to stream {} seq {}, not to {}", p,
                      stream.to_string(), s.value, describe(positions_[next]));
            ++next;
        }
    }
    for (; next < positions_.size(); ++next)
        fault("{} (position {}) is missing from the global index", describe(positions_[next]),
              positions_[next].position);
    if (report_.index_entries != report_.events)
        fault("global: {} indexed positions for {} events", report_.index_entries, report_.events);
    if (previous_last != log_.committed.load())
        fault("global: the index ends at position {}, the log at {}", previous_last,
              log_.committed.load());
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
    if (auto ec = c.check_events()) return ec;
    if (auto ec = c.check_index()) return ec;
    if (auto ec = c.check_client_ids()) return ec;
    return c.take();
}

}  // namespace belay::engine
