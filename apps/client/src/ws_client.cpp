#include "belay/client/ws_client.hpp"

namespace belay::client {

ws_client::ws_client()
    : connection_(loop_,
                  {.on_open = [this] { opened_ = true; },
                   .on_message = [this](std::string_view text) { inbox_.emplace_back(text); },
                   .on_close = [this](const ws_close& c) { closed_ = c; }}) {}

ws_client::~ws_client() = default;

bool ws_client::connect(const endpoint& ep, std::string target, std::chrono::milliseconds timeout) {
    opened_ = false;
    closed_.reset();
    inbox_.clear();
    connection_.connect(ep, std::move(target), timeout);
    // The connection's own timeout ends the wait; the deadline is a backstop.
    loop_.run_until([this] { return opened_ || closed_.has_value(); },
                    clock_type::now() + timeout + std::chrono::seconds(1));
    if (!opened_ && !closed_) {
        closed_.emplace();
        closed_->error = make_error_code(boost::system::errc::timed_out);
    }
    return opened_ && !closed_;
}

void ws_client::send(std::string text, std::chrono::milliseconds timeout) {
    connection_.send(std::move(text));
    loop_.run_until([this] { return connection_.queued() == 0 || closed_.has_value(); },
                    clock_type::now() + timeout);
}

std::optional<std::string> ws_client::receive(std::chrono::milliseconds timeout) {
    loop_.run_until([this] { return !inbox_.empty() || closed_.has_value(); },
                    clock_type::now() + timeout);
    if (inbox_.empty()) return std::nullopt;
    auto text = std::move(inbox_.front());
    inbox_.pop_front();
    return text;
}

void ws_client::close(std::uint16_t code, std::chrono::milliseconds timeout) {
    connection_.close(code);
    loop_.run_until([this] { return closed_.has_value(); }, clock_type::now() + timeout);
}

}  // namespace belay::client
