#include "metrics.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace belay::transport {

void metrics::request_done(std::string_view route, std::string_view method, int status) {
    // Only known methods get their own series: made-up ones would grow the
    // set without bound.
    static constexpr std::string_view known[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                 "PATCH", "DELETE", "OPTIONS"};
    if (std::find(std::begin(known), std::end(known), method) == std::end(known)) method = "other";
    std::lock_guard lock(mutex_);
    ++requests_[{std::string(route), std::string(method), status}];
}

void metrics::append_done(std::size_t events, double seconds) {
    appended_.fetch_add(events, std::memory_order_relaxed);
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i])
        ++i;
    latency_buckets_[i].fetch_add(1, std::memory_order_relaxed);
    latency_count_.fetch_add(1, std::memory_order_relaxed);
    latency_sum_us_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void metrics::render(std::string& out) const {
    out +=
        "# HELP belay_http_requests_total HTTP requests by route, method and status.\n"
        "# TYPE belay_http_requests_total counter\n";
    {
        std::lock_guard lock(mutex_);
        for (auto& [key, n] : requests_)
            out += fmt::format(
                "belay_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                std::get<0>(key), std::get<1>(key), std::get<2>(key), n);
    }
    out += fmt::format(
        "# HELP belay_events_appended_total Events appended by this server's requests.\n"
        "# TYPE belay_events_appended_total counter\nbelay_events_appended_total {}\n"
        "# HELP belay_events_committed_total Events committed to the log since start.\n"
        "# TYPE belay_events_committed_total counter\nbelay_events_committed_total {}\n"
        "# HELP belay_append_failures_total Appends the log refused or failed.\n"
        "# TYPE belay_append_failures_total counter\nbelay_append_failures_total {}\n"
        "# HELP belay_open_connections Open client connections.\n"
        "# TYPE belay_open_connections gauge\nbelay_open_connections {}\n",
        appended_.load(), committed_.load(), append_failures_.load(), open_connections_.load());
    out +=
        "# HELP belay_append_latency_seconds Time from request to durable append.\n"
        "# TYPE belay_append_latency_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += latency_buckets_[i].load();
        out += fmt::format("belay_append_latency_seconds_bucket{{le=\"{}\"}} {}\n", bounds[i],
                           cumulative);
    }
    cumulative += latency_buckets_[bounds.size()].load();
    out += fmt::format(
        "belay_append_latency_seconds_bucket{{le=\"+Inf\"}} {}\n"
        "belay_append_latency_seconds_sum {}\nbelay_append_latency_seconds_count {}\n",
        cumulative, static_cast<double>(latency_sum_us_.load()) / 1e6, latency_count_.load());
}

}  // namespace belay::transport
