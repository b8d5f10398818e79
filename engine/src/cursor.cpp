#include "cursor.hpp"

#include "belay/engine/codec.hpp"
#include "layout.hpp"

namespace belay::engine {

namespace {

result<bool> error(boost::system::error_code ec) {
    return {boost::system::in_place_error, ec};
}

constexpr std::size_t batch_size = 256;

// Decodes a `log` record and checks it is the one at `position`.
boost::system::error_code decode_at(std::uint64_t position, std::string_view record, event& out) {
    if (auto ec = decode_event(record, out)) return ec;
    return out.position.value == position ? boost::system::error_code{} : errc::corruption;
}

// Events in batches: next() hands out what refill() buffered.
class batched_cursor : public log_cursor::impl {
  public:
    explicit batched_cursor(std::shared_ptr<event_log::impl> log) : log_(std::move(log)) {}

    result<bool> next(event& out) final {
        if (pos_ == buffered_.size()) {
            if (failed_) return error(failed_);
            // A refill can come back empty while more follows, when every
            // event it found was purged.
            do {
                buffered_.clear();
                pos_ = 0;
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

  protected:
    // Appends up to batch_size events to buffered_; sets more_ if there may
    // be more after them.
    virtual boost::system::error_code refill() = 0;

    std::shared_ptr<event_log::impl> log_;
    std::vector<event> buffered_;
    bool more_ = false;

  private:
    std::size_t pos_ = 0;
    boost::system::error_code failed_;
};

// Walks one stream's index entries (bounded by its prefix) beside an
// iterator over `log` that steps to each indexed
// position: forward with Next() when it is near (a stream recorded alone is
// one run of positions), with a Seek() when it is not. Both iterators live as
// long as the cursor, so it reads one snapshot (less what a purge deletes
// meanwhile).
class indexed_cursor final : public batched_cursor {
  public:
    indexed_cursor(std::shared_ptr<event_log::impl> log, session_id stream, seq from)
        : batched_cursor(std::move(log)),
          lower_(layout::stream_key(stream, from)),
          upper_(layout::stream_key(stream, seq{UINT64_MAX})),
          lower_slice_(lower_),
          upper_slice_(upper_) {
        rocksdb::ReadOptions ro;
        ro.iterate_lower_bound = &lower_slice_;
        ro.iterate_upper_bound = &upper_slice_;
        ro.prefix_same_as_start = true;
        index_.reset(log_->db->NewIterator(ro, log_->streams));
        index_->Seek(lower_);
        events_.reset(log_->db->NewIterator(rocksdb::ReadOptions{}, log_->log));
    }
    ~indexed_cursor() override {  // before the DB they read
        events_.reset();
        index_.reset();
    }

  private:
    // Positions this far ahead are reached with Next() rather than Seek().
    static constexpr std::uint64_t near = 16;

    boost::system::error_code refill() override {
        for (; index_->Valid() && buffered_.size() < batch_size; index_->Next()) {
            session_id stream;
            seq s;
            log_position p;
            if (!layout::parse_stream_key({index_->key().data(), index_->key().size()}, stream,
                                          s) ||
                !layout::parse_position({index_->value().data(), index_->value().size()}, p))
                return errc::corruption;
            auto found = step_to(p.value);
            if (!found) return found.error();
            if (!*found) {
                if (log_->is_purged(stream)) continue;  // purged after the index was read
                return errc::corruption;
            }
            auto& e = buffered_.emplace_back();
            if (auto ec = decode_at(p.value, {events_->value().data(), events_->value().size()}, e))
                return ec;
            if (e.stream != stream || e.seq != s) return errc::corruption;
        }
        if (auto ec = to_error(index_->status())) return ec;
        more_ = index_->Valid();
        return {};
    }

    // Moves events_ to `position`: true if it is there, false if no such key.
    result<bool> step_to(std::uint64_t position) {
        // The key under events_: its position, or 0 (not valid, not 8 bytes).
        auto at = [&]() -> std::uint64_t {
            if (!events_->Valid() || events_->key().size() != 8) return 0;
            return layout::get_be64(events_->key().data());
        };
        auto here = at();
        if (here != 0 && here <= position && position - here <= near) {
            while (here != 0 && here < position) {
                events_->Next();
                here = at();
            }
        } else {
            events_->Seek(layout::position_key(log_position{position}));
            here = at();
        }
        if (auto ec = to_error(events_->status())) return error(ec);
        return here == position;
    }

    std::string lower_, upper_;
    rocksdb::Slice lower_slice_, upper_slice_;
    std::unique_ptr<rocksdb::Iterator> index_;
    std::unique_ptr<rocksdb::Iterator> events_;
};

// Walks `log` in position order. Each refill opens a fresh iterator, so a
// cursor that reached the end sees later commits on its next call.
class position_cursor final : public batched_cursor {
  public:
    position_cursor(std::shared_ptr<event_log::impl> log, log_position after)
        : batched_cursor(std::move(log)), next_(after.value + 1) {}

  private:
    boost::system::error_code refill() override {
        more_ = false;
        if (next_ == 0) return {};  // past the last possible position
        rocksdb::ReadOptions ro;
        ro.readahead_size = 2 << 20;
        std::unique_ptr<rocksdb::Iterator> it(log_->db->NewIterator(ro, log_->log));
        it->Seek(layout::position_key(log_position{next_}));
        for (; it->Valid() && buffered_.size() < batch_size; it->Next()) {
            log_position p;
            if (!layout::parse_position({it->key().data(), it->key().size()}, p))
                return errc::corruption;
            auto& e = buffered_.emplace_back();
            if (auto ec = decode_at(p.value, {it->value().data(), it->value().size()}, e))
                return ec;
            next_ = p.value + 1;
        }
        if (auto ec = to_error(it->status())) return ec;
        more_ = it->Valid();
        return {};
    }

    std::uint64_t next_;
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
    return std::make_unique<indexed_cursor>(std::move(log), stream, from);
}

std::unique_ptr<log_cursor::impl> make_log_cursor(std::shared_ptr<event_log::impl> log,
                                                  log_position after) {
    return std::make_unique<position_cursor>(std::move(log), after);
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
