#include "server.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace belay::bench::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

http_reply http_call(const target& t, const std::string& method, const std::string& path,
                     const std::string& body, const std::string& token) {
    asio::io_context io;
    tcp::resolver resolver(io);
    tcp::socket socket(io);
    asio::connect(socket, resolver.resolve(t.host, std::to_string(t.port)));
    http::request<http::string_body> req{http::string_to_verb(method), path, 11};
    req.set(http::field::host, t.host);
    const auto& key = token.empty() ? t.token : token;
    if (!key.empty()) req.set(http::field::authorization, "Token " + key);
    if (!body.empty() || method == "POST") {
        req.set(http::field::content_type, "application/json");
        req.body() = body.empty() ? "{}" : body;
    }
    req.prepare_payload();
    http::write(socket, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    return {static_cast<int>(res.result_int()), std::move(res.body())};
}

namespace {

// The value of "name":"…" in a small JSON object (our own server's answers).
std::string string_field(const std::string& json, const std::string& name) {
    auto key = "\"" + name + "\":\"";
    auto at = json.find(key);
    if (at == std::string::npos) return {};
    at += key.size();
    return json.substr(at, json.find('"', at) - at);
}

}  // namespace

std::string create_session(const target& t, const std::string& token) {
    auto r = http_call(t, "POST", "/api/sessions/", "{}", token);
    auto id = string_field(r.body, "id");
    if (r.status != 201 || id.empty())
        throw std::runtime_error(fmt::format("POST /api/sessions/: {} {}", r.status, r.body));
    return id;
}

std::vector<std::string> user_tokens(const target& t, std::size_t connections,
                                     std::size_t per_user) {
    auto me = http_call(t, "GET", "/api/users/me/");
    if (t.old_protocol || me.status != 200 ||
        me.body.find("\"is_admin\":true") == std::string::npos)
        return {t.token};
    std::vector<std::string> tokens;
    auto run = std::random_device{}();
    for (std::size_t j = 0; j * per_user < std::max<std::size_t>(1, connections); ++j) {
        auto r = http_call(t, "POST", "/api/users/",
                           fmt::format(R"({{"username":"bench-{:08x}-{}"}})", run, j));
        auto token = string_field(r.body, "token");
        if (r.status != 201 || token.empty())
            throw std::runtime_error(fmt::format("POST /api/users/: {} {}", r.status, r.body));
        tokens.push_back(token);
    }
    return tokens;
}

local_server::local_server(const std::string& binary, const std::string& durability) {
    char tmpl[] = "/tmp/belay-bench-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("cannot make a temporary directory");
    dir_ = tmpl;
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlives the bench
        ::dup2(out[1], STDOUT_FILENO);
        ::close(out[0]);
        ::close(out[1]);
        // Limits off: the bench opens thousands of sockets as a few users and
        // publishes as fast as acks allow.
        ::execl(binary.c_str(), binary.c_str(), "--data-dir", dir_.c_str(), "--listen",
                "127.0.0.1:0", "--durability", durability.c_str(), "--stats-interval", "0",
                "--max-connections", "50000", "--max-connections-per-user", "0",
                "--messages-per-second", "0", "--lag-timeout-ms", "0", nullptr);
        std::perror("belayd");
        ::_exit(127);
    }
    ::close(out[1]);
    target_.pid = pid;
    FILE* f = ::fdopen(out[0], "r");
    char line[512];
    constexpr std::string_view ready = "listening on http://127.0.0.1:";
    while (f && std::fgets(line, sizeof line, f)) {
        std::string_view l(line);
        if (auto at = l.find(ready); at != std::string_view::npos) {
            target_.port = static_cast<unsigned short>(std::atoi(line + at + ready.size()));
            break;
        }
    }
    // Keep draining its stdout so it never blocks on a full pipe.
    std::thread([f] {
        char buf[512];
        while (f && std::fgets(buf, sizeof buf, f)) {
        }
        if (f) std::fclose(f);
    }).detach();
    if (target_.port == 8000 && target_.pid > 0) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) != 0) throw std::runtime_error("belayd did not start");
    }
    std::ifstream token(dir_ + "/admin.token");
    std::getline(token, target_.token);
    if (target_.token.empty()) throw std::runtime_error("belayd wrote no admin.token");
}

local_server::~local_server() {
    if (target_.pid > 0) {
        ::kill(target_.pid, SIGTERM);
        int status = 0;
        ::waitpid(target_.pid, &status, 0);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

process_figures read_process(int pid) {
    process_figures f;
    if (pid <= 0) return f;
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string text;
    std::getline(stat, text);
    auto close = text.rfind(')');
    if (close != std::string::npos) {
        std::istringstream rest(text.substr(close + 2));
        std::string field;
        unsigned long utime = 0, stime = 0;
        for (int i = 3; rest >> field; ++i) {  // fields 14, 15: utime, stime (ticks)
            if (i == 14) utime = std::stoul(field);
            if (i == 15) {
                stime = std::stoul(field);
                break;
            }
        }
        f.cpu_seconds =
            static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    std::ifstream status(fmt::format("/proc/{}/status", pid));
    for (std::string line; std::getline(status, line);) {
        auto kib = [&] { return std::stoull(line.substr(line.find(':') + 1)) * 1024; };
        if (line.rfind("VmRSS:", 0) == 0) f.rss_bytes = kib();
        if (line.rfind("VmHWM:", 0) == 0) f.peak_rss_bytes = kib();
    }
    return f;
}

session_server open_server(const common_params& p) {
    session_server s;
    if (p.url.empty()) {
        if (p.belayd.empty())
            throw std::invalid_argument("give --url and --token, or --belayd PATH");
        s.local = std::make_unique<local_server>(p.belayd, p.durability);
        s.where = s.local->where();
    } else {
        std::string_view u(p.url);
        for (std::string_view scheme : {"http://", "ws://"})
            if (u.starts_with(scheme)) u.remove_prefix(scheme.size());
        if (u.ends_with('/')) u.remove_suffix(1);
        auto colon = u.rfind(':');
        s.where.host = std::string(u.substr(0, colon));
        s.where.port = 80;
        if (colon != std::string_view::npos) {
            auto port = std::string(u.substr(colon + 1));
            char* end = nullptr;
            auto n = std::strtoul(port.c_str(), &end, 10);
            if (port.empty() || *end || n == 0 || n > 65535)
                throw std::invalid_argument("--url takes http://HOST:PORT, not \"" + p.url + "\"");
            s.where.port = static_cast<unsigned short>(n);
        }
        if (s.where.host.empty() || s.where.host.find('/') != std::string::npos)
            throw std::invalid_argument("--url takes http://HOST:PORT, not \"" + p.url + "\"");
        s.where.token = p.token;
        s.where.pid = p.server_pid.value_or(-1);
    }
    s.where.old_protocol = p.old_protocol;
    return s;
}

}  // namespace belay::bench::net
