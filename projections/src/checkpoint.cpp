// state_store::serialize / deserialize: the checkpoint format.
//
//   u8 format (1), varint position, varint skipped,
//   then for sessions, recordings, routes, users: varint count, each view's
//   fields in declaration order (strings length-prefixed, integers as
//   varints of their two's complement, doubles by their bits, optionals
//   behind a 0/1 byte).

#include <bit>
#include <cstring>
#include <mutex>

#include "belay/engine/bytes.hpp"
#include "belay/projections/state_store.hpp"
#include "ordered_views.hpp"

namespace belay::projections {
namespace {

using engine::get_bytes;
using engine::get_varint;
using engine::put_bytes;
using engine::put_varint;

constexpr std::uint8_t format_v1 = 1;

struct writer {
    std::string out;
    void u(std::uint64_t v) { put_varint(out, v); }
    void i(std::int64_t v) { put_varint(out, static_cast<std::uint64_t>(v)); }
    void s(std::string_view v) { put_bytes(out, v); }
    void d(double v) { u(std::bit_cast<std::uint64_t>(v)); }
    void b(bool v) { out.push_back(v ? 1 : 0); }
    void id(const entity_id& v) {
        out.append(reinterpret_cast<const char*>(v.bytes().data()), v.bytes().size());
    }
};

struct reader {
    std::string_view in;
    bool ok = true;
    std::uint64_t u() {
        std::uint64_t v = 0;
        ok = ok && get_varint(in, v);
        return v;
    }
    std::int64_t i() { return static_cast<std::int64_t>(u()); }
    std::string s() {
        std::string v;
        ok = ok && get_bytes(in, v);
        return v;
    }
    double d() { return std::bit_cast<double>(u()); }
    bool b() {
        if (in.empty()) return ok = false;
        bool v = in.front() != 0;
        in.remove_prefix(1);
        return v;
    }
    entity_id id() {
        entity_id::bytes_type bytes{};
        if (in.size() < bytes.size()) {
            ok = false;
            return {};
        }
        std::memcpy(bytes.data(), in.data(), bytes.size());
        in.remove_prefix(bytes.size());
        return entity_id{bytes};
    }
};

void write(writer& w, const session_view& v) {
    w.id(v.id);
    w.s(v.user);
    w.b(v.route.has_value());
    if (v.route) w.id(*v.route);
    w.i(v.start_time);
    w.b(v.end_time.has_value());
    if (v.end_time) w.i(*v.end_time);
    w.s(v.status);
    w.s(v.climb_data);
    w.s(v.last_pose);
    w.i(v.created);
    w.i(v.updated);
    w.u(v.last_seq);
    w.u(v.event_count);
    w.u(v.pose_frames);
}

void read(reader& r, session_view& v) {
    v.id = r.id();
    v.user = r.s();
    if (r.b()) v.route = r.id();
    v.start_time = r.i();
    if (r.b()) v.end_time = r.i();
    v.status = r.s();
    v.climb_data = r.s();
    v.last_pose = r.s();
    v.created = r.i();
    v.updated = r.i();
    v.last_seq = r.u();
    v.event_count = r.u();
    v.pose_frames = r.u();
}

void write(writer& w, const recording_view& v) {
    w.id(v.id);
    w.s(v.user);
    w.s(v.name);
    w.s(v.description);
    w.id(v.session);
    w.d(v.duration);
    w.i(v.frame_count);
    w.s(v.video_file_path);
    w.s(v.status);
    w.i(v.created);
}

void read(reader& r, recording_view& v) {
    v.id = r.id();
    v.user = r.s();
    v.name = r.s();
    v.description = r.s();
    v.session = r.id();
    v.duration = r.d();
    v.frame_count = r.i();
    v.video_file_path = r.s();
    v.status = r.s();
    v.created = r.i();
}

void write(writer& w, const route_view& v) {
    w.id(v.id);
    w.s(v.name);
    w.s(v.grade);
    w.s(v.holds);
    w.i(v.created);
}

void read(reader& r, route_view& v) {
    v.id = r.id();
    v.name = r.s();
    v.grade = r.s();
    v.holds = r.s();
    v.created = r.i();
}

void write(writer& w, const user_view& v) {
    w.id(v.id);
    w.s(v.username);
    w.s(v.token_sha256);
    w.b(v.is_admin);
    w.i(v.created);
}

void read(reader& r, user_view& v) {
    v.id = r.id();
    v.username = r.s();
    v.token_sha256 = r.s();
    v.is_admin = r.b();
    v.created = r.i();
}

template <class View>
void write_all(writer& w, const std::unordered_map<entity_id, View>& views) {
    w.u(views.size());
    for (auto& [id, v] : views)
        write(w, v);
}

template <class View>
bool read_all(reader& r, std::vector<View>& out) {
    auto n = r.u();
    if (!r.ok || n > r.in.size()) return false;  // every view takes at least a byte
    out.resize(n);
    for (auto& v : out)
        read(r, v);
    return r.ok;
}

}  // namespace

std::string state_store::serialize() const {
    std::shared_lock lock(mutex_);
    writer w;
    w.out.push_back(static_cast<char>(format_v1));
    w.u(position_.value);
    w.u(skipped_);
    write_all(w, sessions_);
    write_all(w, recordings_);
    write_all(w, routes_);
    write_all(w, users_);
    return std::move(w.out);
}

bool state_store::deserialize(std::string_view bytes) {
    if (bytes.empty() || static_cast<std::uint8_t>(bytes.front()) != format_v1) return false;
    reader r{bytes.substr(1)};
    auto position = r.u();
    auto skipped = r.u();
    std::vector<session_view> sessions;
    std::vector<recording_view> recordings;
    std::vector<route_view> routes;
    std::vector<user_view> users;
    if (!read_all(r, sessions) || !read_all(r, recordings) || !read_all(r, routes) ||
        !read_all(r, users) || !r.in.empty())
        return false;

    std::unique_lock lock(mutex_);
    clear_locked();
    position_ = engine::log_position{position};
    skipped_ = skipped;
    for (auto& v : sessions)
        detail::insert_ordered(sessions_, session_order_, std::move(v));
    for (auto& v : recordings)
        detail::insert_ordered(recordings_, recording_order_, std::move(v));
    for (auto& v : routes)
        detail::insert_ordered(routes_, route_order_, std::move(v));
    for (auto& v : users) {
        users_by_name_[v.username] = v.id;
        if (!v.token_sha256.empty()) users_by_token_[v.token_sha256] = v.id;
        auto id = v.id;
        users_.emplace(id, std::move(v));
    }
    return true;
}

}  // namespace belay::projections
