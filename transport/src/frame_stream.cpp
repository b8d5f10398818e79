#include "frame_stream.hpp"

#include <cerrno>

#include <sys/socket.h>

#include <boost/asio/write.hpp>
#include <boost/beast/core/stream_traits.hpp>

namespace belay::transport {

namespace asio = boost::asio;

void frame_stream::append_text(std::string_view payload) {
    // RFC 6455 5.2: FIN + text opcode; a server's frames are not masked.
    auto& out = s_->pending;
    out.push_back(static_cast<char>(0x81));
    auto n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<char>(n));
    } else if (n <= 0xffff) {
        out.push_back(static_cast<char>(126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff));
    }
    out.append(payload);
}

// Hands as much of `pending` to the kernel as it takes now, without
// blocking: on a socket with room that is all of it, with no operation to
// allocate, post and complete. Returns false if the socket failed.
bool frame_stream::send_now(shared& s) {
    auto sent = ::send(s.next.socket().native_handle(), s.pending.data(), s.pending.size(),
                       MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return true;
        s.error = boost::system::error_code(errno, boost::system::system_category());
        s.pending.clear();
        return false;
    }
    s.pending.erase(0, static_cast<std::size_t>(sent));
    return true;
}

void frame_stream::flush(const std::shared_ptr<shared>& s) {
    if (s->writing || s->pending.empty() || s->error) return;
    if (!send_now(*s) || s->pending.empty()) {
        s->drained.cancel();
        return;
    }
    s->writing = true;
    s->sending.swap(s->pending);
    s->pending.clear();
    asio::async_write(s->next, asio::buffer(s->sending),
                      [s](boost::system::error_code ec, std::size_t) {
                          s->writing = false;
                          s->sending.clear();
                          if (s->sending.capacity() > (1u << 20)) s->sending.shrink_to_fit();
                          if (ec) {
                              s->error = ec;
                              s->pending.clear();
                          } else {
                              flush(s);
                          }
                          s->drained.cancel();
                      });
}

asio::awaitable<boost::system::error_code> frame_stream::drain(std::size_t limit) {
    auto s = s_;
    while (!s->error && s->pending.size() > limit) {
        flush(s);
        // The kernel may have taken it all at once: then nothing will wake us.
        if (s->error || s->pending.size() <= limit) break;
        co_await s->drained.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return s->error;
}

void teardown(boost::beast::role_type role, frame_stream& stream, boost::system::error_code& ec) {
    auto& s = *stream.s_;
    if (!s.error && !s.writing && !s.pending.empty())
        asio::write(s.next.socket(), asio::buffer(s.pending), ec);
    s.pending.clear();
    boost::beast::websocket::teardown(role, s.next.socket(), ec);
}

}  // namespace belay::transport
