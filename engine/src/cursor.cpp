#include "cursor.hpp"

#include "belay/engine/codec.hpp"
#include "layout.hpp"

namespace belay::engine {

namespace {

result<bool> error(boost::system::error_code ec) {
    return {boost::system::in_place_error, ec};
}

// Decodes a `log` record and checks it is the one at `position`.
boost::system::error_code decode_at(std::uint64_t position, std::string_view record, event& out) {
    if (auto ec = decode_event(record, out)) return ec;
    return out.position.value == position ? boost::system::error_code{} : errc::corruption;
}

std::string_view view(const rocksdb::Slice& s) {
    return {s.data(), s.size()};
}

// Both cursors decode straight into the caller's event, reusing its strings.
// After an error they keep returning it.
class cursor_base : public log_cursor::impl {
  protected:
    explicit cursor_base(std::shared_ptr<event_log::impl> log) : log_(std::move(log)) {}
    result<bool> fail(boost::system::error_code ec) {
        failed_ = ec;
        return error(ec);
    }

    std::shared_ptr<event_log::impl> log_;
    boost::system::error_code failed_;
};

// Walks one stream's index entries (bounded by its prefix) beside an
// iterator over `log` that steps to each indexed position: forward with
// Next() when it is near (a stream recorded alone is one run of positions),
// with a Seek() when it is not. The two iterators are made one after the
// other, so an event the index has and the log lacks was purged in between:
// still_indexed() tells that from corruption. (An explicit snapshot shared by
// both cost the replay of a 1 M-event session 12–15 %.)
class indexed_cursor final : public cursor_base {
  public:
    indexed_cursor(std::shared_ptr<event_log::impl> log, session_id stream, seq from)
        : cursor_base(std::move(log)),
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

    result<bool> next(event& out) override {
        for (;;) {
            if (failed_) return error(failed_);
            if (!index_->Valid()) {
                if (auto ec = to_error(index_->status())) return fail(ec);
                return false;
            }
            session_id stream;
            seq s;
            log_position p;
            if (!layout::parse_stream_key(view(index_->key()), stream, s) ||
                !layout::parse_position(view(index_->value()), p))
                return fail(errc::corruption);
            if (p.value > log_->readable()) return false;  // not durable yet
            index_->Next();
            auto found = step_to(p.value);
            if (!found) return fail(found.error());
            if (!*found) {
                auto indexed = log_->still_indexed(stream, s);
                if (!indexed) return fail(indexed.error());
                if (!*indexed) continue;  // purged after the index was read
                return fail(errc::corruption);
            }
            if (auto ec = decode_at(p.value, view(events_->value()), out)) return fail(ec);
            if (out.stream != stream || out.seq != s) return fail(errc::corruption);
            return true;
        }
    }

  private:
    // Positions this far ahead are reached with Next() rather than Seek().
    static constexpr std::uint64_t near = 16;

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

// Walks `log` in position order. At the end it lets its iterator go, and the
// next call opens a fresh one: a cursor that reached the end sees later
// commits (a tail), and an idle one pins nothing.
class position_cursor final : public cursor_base {
  public:
    position_cursor(std::shared_ptr<event_log::impl> log, log_position after)
        : cursor_base(std::move(log)), next_(after.value + 1) {}
    ~position_cursor() override { it_.reset(); }  // before the DB it reads

    result<bool> next(event& out) override {
        if (failed_) return error(failed_);
        if (!it_) {
            if (next_ == 0) return false;  // past the last possible position
            rocksdb::ReadOptions ro;
            ro.readahead_size = 2 << 20;
            it_.reset(log_->db->NewIterator(ro, log_->log));
            it_->Seek(layout::position_key(log_position{next_}));
        }
        if (!it_->Valid()) {
            auto ec = to_error(it_->status());
            it_.reset();
            if (ec) return fail(ec);
            return false;
        }
        log_position p;
        if (!layout::parse_position(view(it_->key()), p)) return fail(errc::corruption);
        if (p.value > log_->readable()) {  // not durable yet: the end, for now
            it_.reset();
            return false;
        }
        if (auto ec = decode_at(p.value, view(it_->value()), out)) return fail(ec);
        next_ = p.value + 1;
        it_->Next();
        return true;
    }

  private:
    std::uint64_t next_;
    std::unique_ptr<rocksdb::Iterator> it_;
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
