#pragma once
// The next layer under each WebSocket: a TCP stream that queues outgoing
// bytes and writes them in batches. The live and replay sockets append whole
// server frames (unmasked, no extensions) with append_text(), then flush():
// every frame queued while a write is in flight goes out in the next one, so
// a burst of small messages costs one write(2), not one each. Beast's own
// writes (the handshake answer, pongs, pings, the close frame) pass through
// the same queue, in order, so frames never interleave.
//
// Backpressure: drain() waits until the queue is handed to the socket, so a
// writer that drains after each batch holds at most two batches (the one in
// flight and the next) and never outruns a slow client.
//
// Threads: one, the connection's. Private to transport (includes
// Beast).

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace belay::transport {

class frame_stream {
  public:
    using next_layer_type = boost::beast::tcp_stream;
    using executor_type = next_layer_type::executor_type;

    explicit frame_stream(next_layer_type next) : s_(std::make_shared<shared>(std::move(next))) {}

    executor_type get_executor() noexcept { return s_->next.get_executor(); }
    next_layer_type& next_layer() noexcept { return s_->next; }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
        return s_->next.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    // Beast's writes: queued whole, flushed, and completed at once (the
    // bytes are ours to send from then on).
    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
        return boost::asio::async_initiate<WriteToken,
                                           void(boost::system::error_code, std::size_t)>(
            [s = s_](auto handler, const ConstBufferSequence& b) {
                auto ec = s->error;
                std::size_t n = 0;
                if (!ec) {
                    for (auto it = boost::asio::buffer_sequence_begin(b);
                         it != boost::asio::buffer_sequence_end(b); ++it) {
                        boost::asio::const_buffer one(*it);
                        s->pending.append(static_cast<const char*>(one.data()), one.size());
                        n += one.size();
                    }
                    flush(s);
                }
                auto ex = boost::asio::get_associated_executor(handler, s->next.get_executor());
                boost::asio::post(ex, boost::beast::bind_front_handler(std::move(handler), ec, n));
            },
            token, buffers);
    }

    // Queues one complete unmasked text frame carrying `payload`.
    void append_text(std::string_view payload);
    // Starts writing what is queued, unless a write is in flight (its
    // completion writes the rest).
    void flush() { flush(s_); }
    // Bytes queued and not yet handed to the socket.
    std::size_t pending() const { return s_->pending.size(); }
    // Waits until no more than `limit` bytes are queued, or the stream failed
    // (the error is returned).
    boost::asio::awaitable<boost::system::error_code> drain(std::size_t limit = 0);

  private:
    struct shared {
        explicit shared(next_layer_type n) : next(std::move(n)), drained(next.get_executor()) {
            drained.expires_at(boost::asio::steady_timer::time_point::max());
        }
        next_layer_type next;
        std::string pending;  // queued
        std::string sending;  // in the write in flight
        bool writing = false;
        boost::system::error_code error;  // the first write error: every later write fails
        // Never expires: cancel() wakes whoever waits for the queue to drain.
        boost::asio::steady_timer drained;
    };
    static void flush(const std::shared_ptr<shared>& s);
    static bool send_now(shared& s);

    template <class Handler>
    friend void async_teardown(boost::beast::role_type role, frame_stream& stream,
                               Handler&& handler);
    friend void teardown(boost::beast::role_type role, frame_stream& stream,
                         boost::system::error_code& ec);

    // Beast's teardown after a close: sends what is queued, then shuts the
    // socket down.
    struct teardown_op {
        std::shared_ptr<shared> s;
        boost::beast::role_type role;
        bool waited = false;
        template <class Self>
        void operator()(Self& self, boost::system::error_code ec = {}) {
            if (!waited) {
                if (s->error || (!s->writing && s->pending.empty())) {
                    waited = true;
                    using boost::beast::websocket::async_teardown;
                    return async_teardown(role, s->next.socket(), std::move(self));
                }
                return s->drained.async_wait(std::move(self));
            }
            self.complete(ec);
        }
    };

    std::shared_ptr<shared> s_;
};

template <class Handler>
void async_teardown(boost::beast::role_type role, frame_stream& stream, Handler&& handler) {
    boost::asio::async_compose<Handler, void(boost::system::error_code)>(
        frame_stream::teardown_op{stream.s_, role}, handler, stream);
}

void teardown(boost::beast::role_type role, frame_stream& stream, boost::system::error_code& ec);

}  // namespace belay::transport
