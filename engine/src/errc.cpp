#include "belay/engine/errc.hpp"

#include <string>

namespace belay::engine {
namespace {

class category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "belay.engine"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::ok:
                return "ok";
            case errc::io_error:
                return "storage I/O error";
            case errc::corruption:
                return "stored data is corrupt";
            case errc::not_found:
                return "not found";
            case errc::read_only:
                return "the log is open read-only";
            case errc::log_failed:
                return "an earlier write failed; the log refuses writes until reopened";
            case errc::closed:
                return "the log is closed";
            case errc::invalid_argument:
                return "invalid argument";
            case errc::busy:
                return "the data directory is in use by another process";
            case errc::stream_purged:
                return "the stream was purged";
            case errc::old_format:
                return "the log is in format 1: open it once for writing (start belayd on it) "
                       "to convert it";
            case errc::new_format:
                return "the log was written by a later belay, in a format this build cannot read";
        }
        return "unknown engine error";
    }
};

}  // namespace

const boost::system::error_category& engine_category() noexcept {
    static const category instance;
    return instance;
}

}  // namespace belay::engine
