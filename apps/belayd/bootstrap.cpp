#include "bootstrap.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "belay/engine/payloads.hpp"
#include "belay/projections/tokens.hpp"

namespace belay::daemon {
namespace {

// Writes `text` to `path` with mode 0600 atomically (temp file, fsync, rename).
void write_private(const std::filesystem::path& path, const std::string& text) {
    auto tmp = path.string() + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + tmp);
    bool ok = ::fchmod(fd, 0600) == 0 &&
              ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

std::string create_admin_if_none(engine::event_log& log, projections::state_store& store,
                                 const std::string& data_dir) {
    if (store.user_count() > 0) return {};
    auto token = projections::generate_token();
    auto path = std::filesystem::path(data_dir) / "admin.token";
    write_private(path, token + "\n");
    engine::user_fields f;
    f.username = "admin";
    f.token_sha256 = projections::token_hash(token);
    f.is_admin = true;
    engine::append_request r;
    r.stream = projections::user_stream("admin");
    r.type = engine::event_type::user_created;
    r.author = "belayd";
    r.client_id = "user_created";
    r.payload = engine::to_payload(f);
    auto appended = log.append(std::move(r));
    if (!appended)
        throw std::runtime_error("cannot create the admin user: " + appended.error().message());
    if (appended->duplicate)
        throw std::runtime_error("the admin user exists in the log but not in the projections");
    return path.string();
}

}  // namespace belay::daemon
