#include "belay/engine/verify.hpp"

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
    void check_event(std::string_view key, std::string_view value);

    event_log::impl& log_;
    std::size_t max_faults_;
    verify_report report_;
    std::unordered_map<session_id, std::uint64_t> heads_;
    session_id stream_;
    std::uint64_t last_seq_ = 0;
    std::uint64_t last_position_ = 0;
    event scratch_;
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
    std::string indexed;
    auto st = log_.db->Get(rocksdb::ReadOptions{}, log_.global,
                           layout::position_key(scratch_.position), &indexed);
    if (st.IsNotFound())
        fault("{}: position {} is missing from the global index", where, scratch_.position.value);
    else if (st.ok() && indexed != key)
        fault("{}: the global index maps position {} elsewhere", where, scratch_.position.value);
    else if (!st.ok())
        fault("{}: the global index cannot be read: {}", where, st.ToString());
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

// Every event found its own entry; equal counts then mean the index holds
// nothing else.
boost::system::error_code checker::check_index() {
    std::unique_ptr<rocksdb::Iterator> it(
        log_.db->NewIterator(rocksdb::ReadOptions{}, log_.global));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report_.index_entries;
        if (it->key().size() != 8 || it->value().size() != layout::stream_key_size)
            fault("global: malformed entry at index entry {}", report_.index_entries);
    }
    if (report_.index_entries != report_.events)
        fault("global: {} index entries for {} events", report_.index_entries, report_.events);
    if (report_.index_entries > 0) {
        it->SeekToLast();
        if (it->Valid() && it->key().size() == 8 &&
            layout::get_be64(it->key().data()) != log_.committed.load())
            fault("global: the last position is not the committed position");
    }
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
