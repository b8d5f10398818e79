#include "report.hpp"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "belay/engine/event.hpp"
#include "belay/engine/json_text.hpp"

namespace belay::bench {

machine_info read_machine() {
    machine_info m;
    m.cpus = std::thread::hardware_concurrency();
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        if (line.rfind("model name", 0) == 0) {
            m.cpu_model = line.substr(line.find(':') + 2);
            break;
        }
    }
    m.memory_bytes = static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                     static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    utsname u{};
    if (::uname(&u) == 0) m.kernel = fmt::format("{} {}", u.sysname, u.release);
    return m;
}

std::string machine_json(const machine_info& m) {
    std::string out = "{\"cpu_model\":";
    engine::append_json_string(out, m.cpu_model);
    out += fmt::format(",\"cpus\":{},\"memory_bytes\":{},\"kernel\":", m.cpus, m.memory_bytes);
    engine::append_json_string(out, m.kernel);
    out += "}";
    return out;
}

std::string now_rfc3339() {
    return engine::format_time_us(engine::now_us());
}

double percentile(std::vector<double>& sample, double p) {
    if (sample.empty()) return 0;
    auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sample.size())));
    k = std::clamp<std::size_t>(k, 1, sample.size()) - 1;
    std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(k), sample.end());
    return sample[k];
}

double process_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto secs = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return secs(u.ru_utime) + secs(u.ru_stime);
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace belay::bench
