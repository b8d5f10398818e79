#include "settings.hpp"

#include <cstdlib>

#include "args.hpp"

namespace belay::daemon {

const char* const usage = R"(usage: belayd [options]

  --data-dir DIR            the event log's directory (BELAY_DATA_DIR; default ./data)
  --listen HOST:PORT        where to serve (BELAY_LISTEN; default 127.0.0.1:8000; port 0
                            picks a free one, printed at start)
  --durability MODE         sync: fsync before every ack (default); buffered: survives a
                            process crash, not a power cut (BELAY_DURABILITY)
  --threads N               I/O threads (BELAY_THREADS; default 2)
  --max-body-bytes N        largest request body (default 1048576)
  --max-header-bytes N      largest request head (default 16384)
  --header-timeout-ms N     time to receive a request's headers (default 10000)
  --idle-timeout-ms N       keep-alive idle time (default 60000)
  --max-connections N       open connections at most (default 10000)
  --access-log              one line per request on stderr (BELAY_ACCESS_LOG=1)
  --web-dir DIR             the viewer page served at / (BELAY_WEB_DIR; default the source
                            tree's web/; an empty value serves none)
  --max-message-bytes N     largest live socket message; larger: close 1009 (default 1048576)
  --outbox-bytes N          queued for one live client before it is served from the log
                            (default 4194304)
  --lag-timeout-ms N        a live client behind for longer is closed with 4008 (default 30000)
  --ws-idle-timeout-ms N    a silent live socket (pings unanswered) is closed (default 60000)
  --max-connections-per-user N   live sockets per user; more: close 4429 (default 1000)
  --live-batch-ms N         while the live fan-out is busy, frames are gathered this long
                            and each socket writes its batch at once (default 5; 0: never)
  --live-batch-above N      busy: over N frames/s (default 20000; 0: always)
  --messages-per-second N   a live client's sustained message rate (default 5000) …
  --message-burst N         … and burst (default 10000); over: an error, far over: close 1008
  --allowed-origins LIST    comma-separated Origins browsers may open live sockets from
                            (BELAY_ALLOWED_ORIGINS; default: any)
  --checkpoint-every N      events between projection checkpoints (default 100000)
  --stats-interval S        seconds between status lines, 0 = none (default 60)
  --rebuild                 fold the whole log into the projections, ignoring the checkpoint
  --help
)";

namespace {

std::string env_or(const char* name, std::string fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

void parse_listen(const std::string& text, transport::server_options& o) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        throw cli::usage_error("--listen takes HOST:PORT, not \"" + text + "\"");
    auto port = text.substr(colon + 1);
    char* end = nullptr;
    auto n = std::strtoul(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || n > 65535)
        throw cli::usage_error("--listen: \"" + port + "\" is not a port");
    o.address = text.substr(0, colon);
    if (o.address.size() > 2 && o.address.front() == '[')
        o.address = o.address.substr(1, o.address.size() - 2);
    o.port = static_cast<unsigned short>(n);
}

}  // namespace

settings parse_settings(const std::vector<std::string>& argv) {
    cli::args a(argv,
                {"data-dir",
                 "listen",
                 "durability",
                 "threads",
                 "max-body-bytes",
                 "max-header-bytes",
                 "header-timeout-ms",
                 "idle-timeout-ms",
                 "max-connections",
                 "checkpoint-every",
                 "stats-interval",
                 "max-message-bytes",
                 "outbox-bytes",
                 "lag-timeout-ms",
                 "ws-idle-timeout-ms",
                 "max-connections-per-user",
                 "messages-per-second",
                 "message-burst",
                 "allowed-origins",
                 "web-dir",
                 "live-batch-ms",
                 "live-batch-above"},
                {"access-log", "rebuild", "help"});
    if (!a.positional().empty()) throw cli::usage_error("unexpected \"" + a.positional()[0] + "\"");
    settings s;
    s.help = a.has("help");
    s.data_dir = a.get("data-dir").value_or(env_or("BELAY_DATA_DIR", s.data_dir));
    parse_listen(a.get("listen").value_or(env_or("BELAY_LISTEN", "127.0.0.1:8000")), s.server);
    auto durability = a.get("durability").value_or(env_or("BELAY_DURABILITY", "sync"));
    auto d = engine::parse_durability(durability);
    if (!d)
        throw cli::usage_error("--durability takes sync or buffered, not \"" + durability + "\"");
    s.durability = *d;
    auto& o = s.server;
    auto threads = a.get("threads").value_or(env_or("BELAY_THREADS", "2"));
    o.threads = static_cast<unsigned>(
        std::max<std::uint64_t>(1, cli::args::parse_number("threads", threads)));
    o.max_body_bytes = a.number("max-body-bytes", o.max_body_bytes);
    o.max_header_bytes = a.number("max-header-bytes", o.max_header_bytes);
    o.header_timeout = std::chrono::milliseconds(a.number("header-timeout-ms", 10'000));
    o.idle_timeout = std::chrono::milliseconds(a.number("idle-timeout-ms", 60'000));
    o.max_connections = a.number("max-connections", o.max_connections);
    o.access_log = a.has("access-log") || env_or("BELAY_ACCESS_LOG", "0") == "1";
    o.web_dir = a.get("web-dir").value_or(env_or("BELAY_WEB_DIR", BELAY_DEFAULT_WEB_DIR));
    o.max_message_bytes = a.number("max-message-bytes", o.max_message_bytes);
    o.outbox_bytes = a.number("outbox-bytes", o.outbox_bytes);
    o.lag_timeout = std::chrono::milliseconds(a.number("lag-timeout-ms", 30'000));
    o.ws_idle_timeout = std::chrono::milliseconds(a.number("ws-idle-timeout-ms", 60'000));
    o.max_connections_per_user = a.number("max-connections-per-user", o.max_connections_per_user);
    o.live_batch = std::chrono::milliseconds(a.number("live-batch-ms", 5));
    o.live_batch_above = static_cast<double>(a.number("live-batch-above", 20'000));
    o.messages_per_second = static_cast<double>(a.number("messages-per-second", 5'000));
    o.message_burst = static_cast<double>(a.number("message-burst", 10'000));
    auto origins = a.get("allowed-origins").value_or(env_or("BELAY_ALLOWED_ORIGINS", ""));
    for (std::size_t start = 0; start < origins.size();) {
        auto comma = origins.find(',', start);
        auto one =
            origins.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!one.empty()) o.allowed_origins.push_back(one);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    s.checkpoint_every =
        std::max<std::uint64_t>(1, a.number("checkpoint-every", s.checkpoint_every));
    s.stats_interval_s = static_cast<unsigned>(a.number("stats-interval", s.stats_interval_s));
    s.rebuild = a.has("rebuild");
    return s;
}

}  // namespace belay::daemon
