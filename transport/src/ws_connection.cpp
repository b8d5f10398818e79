#include "ws_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

namespace belay::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

ws_connection::ws_connection(ws_stream ws, std::shared_ptr<shared_state> state,
                             projections::user_view user, engine::entity_id session)
    : ws_(std::move(ws)),
      state_(std::move(state)),
      user_(std::move(user)),
      session_(session),
      wake_(ws_.get_executor()),
      limiter_(state_->options.messages_per_second, state_->options.message_burst) {}

void ws_connection::session_gone() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
        if (self->close_ || self->done_) return;
        self->send_text(not_found_message(self->session_));
        self->close_with(4404, "session not found");
    });
}

void ws_connection::server_stopping() {
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
        self->close_with(websocket::close_code::going_away, "server shutting down");
    });
}

void ws_connection::close_with(std::uint16_t code, std::string reason) {
    if (close_ || done_) return;
    close_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    wake_.cancel();
}

std::optional<projections::session_view> ws_connection::open_session() {
    auto view = state_->router.context().store.session(session_);
    if (!view || !(user_.is_admin || view->user == user_.username)) {
        send_text(not_found_message(session_));
        close_with(4404, "session not found");
        return std::nullopt;
    }
    state_->hub->attach(session_, shared_from_this());
    return view;
}

asio::awaitable<void> ws_connection::read_loop() {
    beast::flat_buffer buffer;
    for (;;) {
        buffer.clear();
        auto [ec, n] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (ec) break;         // closed, failed, or over the size limit (Beast closes with 1009)
        if (close_) continue;  // closing: drain until the peer answers
        if (!ws_.got_text()) {
            close_with(websocket::close_code::unknown_data, "binary frames are not accepted");
            continue;
        }
        switch (limiter_.take()) {
            case rate_limiter::verdict::ok:
                on_message(std::string_view(static_cast<const char*>(buffer.data().data()),
                                            buffer.size()));
                break;
            case rate_limiter::verdict::refuse:
                send_text(error_message("rate_limited", "Too many messages: slow down."));
                break;
            case rate_limiter::verdict::close:
                close_with(websocket::close_code::policy_error, "message rate limit");
                break;
        }
    }
    done_ = true;
    wake_.cancel();
    on_done();
    state_->hub->detach(session_, this);
}

}  // namespace belay::transport
