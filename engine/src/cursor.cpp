#include "cursor.hpp"

#include "belay/engine/codec.hpp"
#include "layout.hpp"

namespace belay::engine {

namespace {

result<bool> error(boost::system::error_code ec) {
    return {boost::system::in_place_error, ec};
}

// Walks the events column family: one stream (bounded by its prefix) or all.
class events_cursor final : public log_cursor::impl {
  public:
    events_cursor(std::shared_ptr<event_log::impl> log, std::string lower, std::string upper,
                  bool whole_log)
        : log_(std::move(log)), lower_(std::move(lower)), upper_(std::move(upper)) {
        rocksdb::ReadOptions ro;
        if (whole_log) {
            ro.total_order_seek = true;
            ro.readahead_size = 2 << 20;
            ro.fill_cache = false;
        } else {
            lower_slice_ = lower_;
            upper_slice_ = upper_;
            ro.iterate_lower_bound = &lower_slice_;
            ro.iterate_upper_bound = &upper_slice_;
            ro.prefix_same_as_start = true;
        }
        it_.reset(log_->db->NewIterator(ro, log_->events));
        if (whole_log)
            it_->SeekToFirst();
        else
            it_->Seek(lower_);
    }
    ~events_cursor() override { it_.reset(); }  // before the DB it reads

    result<bool> next(event& out) override {
        if (done_) return done_ec_ ? error(done_ec_) : result<bool>(false);
        if (!started_)
            started_ = true;
        else
            it_->Next();
        if (!it_->Valid()) {
            done_ = true;
            done_ec_ = to_error(it_->status());
            return done_ec_ ? error(done_ec_) : result<bool>(false);
        }
        auto v = it_->value();
        if (auto ec = decode_event({v.data(), v.size()}, out)) {
            done_ = true;
            done_ec_ = ec;
            return error(ec);
        }
        return true;
    }

  private:
    std::shared_ptr<event_log::impl> log_;
    std::string lower_, upper_;
    rocksdb::Slice lower_slice_, upper_slice_;
    std::unique_ptr<rocksdb::Iterator> it_;
    bool started_ = false;
    bool done_ = false;
    boost::system::error_code done_ec_;
};

// Walks the global index in position order, fetching events in batches.
// Each refill opens a fresh iterator, so a cursor that reached the end sees
// later commits on its next call.
class global_cursor final : public log_cursor::impl {
  public:
    global_cursor(std::shared_ptr<event_log::impl> log, log_position after)
        : log_(std::move(log)), next_(after.value + 1) {}

    result<bool> next(event& out) override {
        if (pos_ == buffered_.size()) {
            if (failed_) return error(failed_);
            if (next_ == 0) return false;  // past the last possible position
            // A refill can come back empty while more follows, when every
            // event it found was purged.
            do {
                if (auto ec = refill()) {
                    failed_ = ec;
                    return error(ec);
                }
            } while (buffered_.empty() && more_);
            if (buffered_.empty()) return false;
        }
        out = std::move(buffered_[pos_++]);
        return true;
    }

  private:
    static constexpr std::size_t batch_size = 256;

    // Collects up to batch_size (position, key) pairs from next_ on.
    boost::system::error_code read_index(std::vector<std::uint64_t>& positions,
                                         std::vector<std::string>& keys) {
        std::unique_ptr<rocksdb::Iterator> it(
            log_->db->NewIterator(rocksdb::ReadOptions{}, log_->global));
        // The entry holding next_ may start before it.
        it->SeekForPrev(layout::position_key(log_position{next_}));
        if (!it->Valid()) it->Seek(layout::position_key(log_position{next_}));
        for (; it->Valid() && keys.size() < batch_size; it->Next()) {
            layout::index_entry entry;
            if (!layout::parse_index_entry({it->key().data(), it->key().size()},
                                           {it->value().data(), it->value().size()}, entry))
                return errc::corruption;
            for (auto p = std::max(entry.first, next_); p <= entry.last(); ++p) {
                if (keys.size() == batch_size) return to_error(it->status());
                positions.push_back(p);
                keys.emplace_back(entry.key(p - entry.first));
                next_ = p + 1;
            }
        }
        return to_error(it->status());
    }

    boost::system::error_code refill() {
        buffered_.clear();
        pos_ = 0;
        std::vector<std::uint64_t> positions;
        std::vector<std::string> keys;
        keys.reserve(batch_size);
        if (auto ec = read_index(positions, keys)) return ec;
        more_ = keys.size() == batch_size;
        if (keys.empty()) return {};
        std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
        std::vector<rocksdb::PinnableSlice> values(keys.size());
        std::vector<rocksdb::Status> statuses(keys.size());
        log_->db->MultiGet(rocksdb::ReadOptions{}, log_->events, keys.size(), slices.data(),
                           values.data(), statuses.data());
        buffered_.reserve(keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (statuses[i].IsNotFound() && purged(keys[i])) continue;  // deleted on purpose
            if (!statuses[i].ok())
                return statuses[i].IsNotFound() ? errc::corruption : to_error(statuses[i]);
            auto& e = buffered_.emplace_back();
            if (auto ec = decode_event({values[i].data(), values[i].size()}, e)) return ec;
            if (e.position.value != positions[i]) return errc::corruption;
        }
        return {};
    }

    bool purged(std::string_view key) const {
        session_id stream;
        seq s;
        return layout::parse_stream_key(key, stream, s) && log_->is_purged(stream);
    }

    std::shared_ptr<event_log::impl> log_;
    std::uint64_t next_;
    std::vector<event> buffered_;
    std::size_t pos_ = 0;
    bool more_ = false;  // the last refill stopped at batch_size
    boost::system::error_code failed_;
};

class failed_cursor final : public log_cursor::impl {
  public:
    explicit failed_cursor(boost::system::error_code ec) : ec_(ec) {}
    result<bool> next(event&) override { return error(ec_); }

  private:
    boost::system::error_code ec_;
};

}  // namespace

std::unique_ptr<log_cursor::impl> make_stream_cursor(std::shared_ptr<event_log::impl> log,
                                                     session_id stream, seq from) {
    return std::make_unique<events_cursor>(std::move(log), layout::stream_key(stream, from),
                                           layout::stream_key(stream, seq{UINT64_MAX}), false);
}

std::unique_ptr<log_cursor::impl> make_log_cursor(std::shared_ptr<event_log::impl> log,
                                                  log_position after) {
    return std::make_unique<global_cursor>(std::move(log), after);
}

std::unique_ptr<log_cursor::impl> make_scan_cursor(std::shared_ptr<event_log::impl> log) {
    return std::make_unique<events_cursor>(std::move(log), std::string{}, std::string{}, true);
}

std::unique_ptr<log_cursor::impl> make_failed_cursor(boost::system::error_code ec) {
    return std::make_unique<failed_cursor>(ec);
}

log_cursor::log_cursor(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
log_cursor::log_cursor(log_cursor&&) noexcept = default;
log_cursor& log_cursor::operator=(log_cursor&&) noexcept = default;
log_cursor::~log_cursor() = default;

result<bool> log_cursor::next(event& out) {
    return impl_->next(out);
}

}  // namespace belay::engine
