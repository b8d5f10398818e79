// The viewer page: GET / and the files beside it, read from the web
// directory. Only plain names below that directory are served: no "..", no
// hidden files, no directories.

#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include "rest.hpp"

namespace belay::transport {
namespace {

std::string_view content_type_of(std::string_view name) {
    auto dot = name.rfind('.');
    auto ext = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    if (ext == "html") return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json") return "application/json";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "ico") return "image/x-icon";
    if (ext == "txt" || ext == "md") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

// The file a request path names below the web directory, or nullopt.
std::optional<std::string> file_of(const std::string& dir, std::string_view path) {
    if (path == "/" || path.empty()) return dir + "/index.html";
    std::string out = dir;
    while (!path.empty()) {
        path.remove_prefix(1);  // the '/'
        auto slash = path.find('/');
        auto seg = path.substr(0, slash);
        if (seg.empty() || seg.front() == '.' || seg.find('\\') != std::string_view::npos ||
            seg.find('%') != std::string_view::npos)
            return std::nullopt;
        out += '/';
        out += seg;
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash);
    }
    return out;
}

}  // namespace

bool is_static_path(std::string_view path) {
    return !path.starts_with("/api/") && !path.starts_with("/ws/") && path != "/healthz" &&
           path != "/metrics";
}

response static_file(const std::string& dir, std::string_view path) {
    auto file = dir.empty() ? std::nullopt : file_of(dir, path);
    struct stat st {};
    if (!file || ::stat(file->c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return detail(404, "Not found.");
    std::ifstream in(*file, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) return detail(500, "The file could not be read.");
    response r;
    r.body = std::move(body).str();
    r.content_type = std::string(content_type_of(*file));
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; "
                           "style-src 'self' 'unsafe-inline'; connect-src *");
    return r;
}

}  // namespace belay::transport
