#include "sockets.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "belay/engine/json_text.hpp"
#include "report.hpp"

namespace belay::bench::net {

namespace {

// Three digits, zero-padded: n < 1000.
void put3(char* p, std::uint64_t n) {
    p[0] = static_cast<char>('0' + n / 100);
    p[1] = static_cast<char>('0' + n / 10 % 10);
    p[2] = static_cast<char>('0' + n % 10);
}

}  // namespace

pose_builder::pose_builder(unsigned landmarks) {
    for (unsigned i = 1; i < std::max(1u, landmarks); ++i) {
        rest_ += fmt::format(R"(,{{"x":0.{:03},"y":0.)", (i * 37) % 1000);
        y_at_.push_back(rest_.size());
        rest_ += R"(000,"z":0,"visibility":0.9})";
    }
}

void pose_builder::build(std::uint64_t key, std::string_view id, std::string& out) const {
    out = R"({"type":"pose_update",)";
    if (!id.empty()) {
        out += R"("id":")";
        out += id;
        out += "\",";
    }
    // Landmark 0: x 0.000, y from the key, z the key itself.
    out += R"("pose":[{"x":0.000,"y":0.)";
    auto y0 = out.size();
    out += R"(000,"z":)";
    put3(out.data() + y0, key % 1000);
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, key);
    out.append(digits, end);
    out += R"(,"visibility":0.9})";
    auto at = out.size();
    out += rest_;
    for (std::size_t i = 0; i < y_at_.size(); ++i)
        put3(out.data() + at + y_at_[i], (key + (i + 1) * 53) % 1000);
    out += "]}";
}

std::string climb_message(unsigned holds, unsigned done, std::string_view id) {
    std::string out = R"({"type":"climb_update",)";
    if (!id.empty()) out += fmt::format(R"("id":"{}",)", id);
    out += R"("climb":{"holds":[)";
    for (unsigned h = 0; h < holds; ++h) {
        if (h) out.push_back(',');
        out += fmt::format(R"({{"id":"{}","type":"{}","status":"{}","time":null}})", h,
                           h == 0           ? "start"
                           : h + 1 == holds ? "finish"
                                            : "normal",
                           h < done ? "completed" : "untouched");
    }
    return out + R"(],"status":"started"}})";
}

namespace {

std::optional<std::uint64_t> number_after(std::string_view text, std::string_view key,
                                          std::size_t from = 0) {
    auto at = text.find(key, from);
    if (at == std::string_view::npos) return std::nullopt;
    const char* p = text.data() + at + key.size();
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(p, text.data() + text.size(), v);
    if (ec != std::errc{}) return std::nullopt;
    return v;
}

}  // namespace

scanned scan(std::string_view text, bool want_key) {
    scanned s;
    constexpr std::string_view type_key = R"("type":")";
    auto t = text.find(type_key);
    if (t != std::string_view::npos) {
        auto start = t + type_key.size();
        s.type = text.substr(start, text.find('"', start) - start);
    }
    // The envelope comes first: seq (and an ack's id) sit before the payload.
    auto head = text.substr(0, std::min<std::size_t>(text.size(), 160));
    s.seq = number_after(head, R"("seq":)");
    if (s.type == "ack") {
        constexpr std::string_view id_key = R"("id":")";
        auto i = head.find(id_key);
        if (i != std::string_view::npos) {
            auto start = i + id_key.size();
            s.id = head.substr(start, head.find('"', start) - start);
        }
    }
    if (want_key) {
        auto pose = text.find(R"("pose":[)");
        if (pose != std::string_view::npos) s.key = number_after(text, R"("z":)", pose);
    }
    return s;
}

std::int64_t mono_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

double latencies::percentile_ms(double p) {
    if (us.empty()) return 0;
    auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(us.size())));
    k = std::clamp<std::size_t>(k, 1, us.size()) - 1;
    std::nth_element(us.begin(), us.begin() + static_cast<std::ptrdiff_t>(k), us.end());
    return us[k] / 1000.0;
}

double latencies::max_ms() const {
    return us.empty() ? 0 : *std::max_element(us.begin(), us.end()) / 1000.0;
}

void timeline::add(std::int64_t sent_after_start_us, std::int64_t latency_us) {
    auto q = static_cast<std::size_t>(std::max<std::int64_t>(0, sent_after_start_us) / quarter_us);
    if (q >= quarters.size()) quarters.resize(q + 1);
    quarters[q].add(latency_us);
}

void timeline::merge(const timeline& o) {
    if (o.quarters.size() > quarters.size()) quarters.resize(o.quarters.size());
    for (std::size_t q = 0; q < o.quarters.size(); ++q)
        quarters[q].merge(o.quarters[q]);
}

std::string timeline::json() {
    std::string out = "[";
    for (std::size_t q = 0; q < quarters.size(); ++q)
        out += fmt::format(
            R"({}{{"t":{:.2f},"n":{},"p50_ms":{:.3f},"p99_ms":{:.3f},"max_ms":{:.3f}}})",
            q ? "," : "", static_cast<double>(q) * quarter_us / 1e6, quarters[q].us.size(),
            quarters[q].percentile_ms(0.5), quarters[q].percentile_ms(0.99), quarters[q].max_ms());
    return out + "]";
}

double timeline::worst_p99_ms() {
    double worst = 0;
    for (auto& q : quarters)
        worst = std::max(worst, q.percentile_ms(0.99));
    return worst;
}

std::string json_string(std::string_view s) {
    std::string out;
    engine::append_json_string(out, s);
    return out;
}

int finish(const outcome& o, const common_params& p, const target& t, double client_cpu_start,
           const process_figures& server_start) {
    auto client_cpu = process_cpu_seconds() - client_cpu_start;
    auto server = read_process(t.pid);
    fmt::print("\n{} against {}:{}{}\n", o.scenario, t.host, t.port,
               t.old_protocol ? " (old protocol)" : "");
    for (auto& [name, value] : o.parameters)
        fmt::print("  {:<28} {}\n", name, value);
    fmt::print("  {:-<44}\n", "");
    for (auto& [name, value] : o.figures)
        fmt::print("  {:<28} {:>14.6g}\n", name, value);
    fmt::print("  {:<28} {:>14.3f}\n", "client_cpu_seconds", client_cpu);
    if (t.pid > 0)
        fmt::print("  {:<28} {:>14.3f}\n  {:<28} {:>14.1f}\n  {:<28} {:>14.1f}\n",
                   "server_cpu_seconds", server.cpu_seconds - server_start.cpu_seconds,
                   "server_rss_mib", server.rss_bytes / 1048576.0, "server_peak_rss_mib",
                   server.peak_rss_bytes / 1048576.0);
    for (auto& c : o.checks_failed)
        fmt::print("  CHECK FAILED: {}\n", c);
    if (o.checks_failed.empty()) fmt::print("  checks: ok (no loss, in order)\n");

    if (!p.report_path.empty()) {
        std::string json = fmt::format(R"({{"scenario":{},"time":{},"target":{},"protocol":"{}",)",
                                       json_string(o.scenario), json_string(now_rfc3339()),
                                       json_string(fmt::format("{}:{}", t.host, t.port)),
                                       t.old_protocol ? "old" : "belay");
        json += "\"parameters\":{";
        for (std::size_t i = 0; i < o.parameters.size(); ++i)
            json += fmt::format("{}{}:{}", i ? "," : "", json_string(o.parameters[i].first),
                                o.parameters[i].second);
        json += "},\"figures\":{";
        for (std::size_t i = 0; i < o.figures.size(); ++i)
            json += fmt::format("{}{}:{}", i ? "," : "", json_string(o.figures[i].first),
                                std::isfinite(o.figures[i].second) ? o.figures[i].second : 0.0);
        json += fmt::format(R"(}},"client":{{"cpu_seconds":{:.3f},"threads":{}}})", client_cpu,
                            p.client_threads);
        if (t.pid > 0)
            json += fmt::format(
                R"(,"server":{{"pid":{},"cpu_seconds":{:.3f},"rss_bytes":{},"peak_rss_bytes":{}}})",
                t.pid, server.cpu_seconds - server_start.cpu_seconds, server.rss_bytes,
                server.peak_rss_bytes);
        json += ",\"checks_failed\":[";
        for (std::size_t i = 0; i < o.checks_failed.size(); ++i)
            json += (i ? "," : "") + json_string(o.checks_failed[i]);
        json += "]" + o.extra_json + ",\"machine\":" + machine_json(read_machine()) + "}\n";
        write_file(p.report_path, json);
        fmt::print("  report: {}\n", p.report_path);
    }
    return o.checks_failed.empty() ? 0 : 1;
}

}  // namespace belay::bench::net
