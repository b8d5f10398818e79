#include "raw_ws.hpp"

#include <chrono>
#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace belay::bench::net {

namespace asio = boost::asio;
using asio::use_awaitable;

namespace {

int close_code(std::string_view payload) {
    if (payload.size() < 2) return 1005;
    return (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]);
}

}  // namespace

raw_ws::raw_ws(asio::ip::tcp::socket socket)
    : socket_(std::move(socket)), in_(256 << 10), mask_state_(new_mask_state()) {}

asio::awaitable<raw_ws> raw_ws::connect(asio::ip::tcp::endpoint at, std::string host,
                                        std::string path) {
    asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect(at, use_awaitable);
    socket.set_option(asio::ip::tcp::no_delay(true));
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), use_awaitable);
    raw_ws ws(std::move(socket));
    // The answer's head; whatever follows it is the first frames.
    for (;;) {
        std::string_view seen(ws.in_.data(), ws.end_);
        auto head_end = seen.find("\r\n\r\n");
        if (head_end != std::string_view::npos) {
            auto status = seen.substr(0, seen.find("\r\n"));
            if (status.find(" 101 ") == std::string_view::npos)
                throw std::runtime_error("upgrade refused: " + std::string(status));
            ws.begin_ = head_end + 4;
            break;
        }
        if (ws.end_ > 16 << 10) throw std::runtime_error("upgrade answer too long");
        co_await ws.fill();
    }
    co_return ws;
}

asio::awaitable<void> raw_ws::fill() {
    if (begin_ > 0 && (begin_ == end_ || end_ == in_.size())) {  // make room
        std::memmove(in_.data(), in_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == in_.size()) in_.resize(in_.size() * 2);
    auto [ec, n] = co_await socket_.async_read_some(
        asio::buffer(in_.data() + end_, in_.size() - end_), asio::as_tuple(use_awaitable));
    if (ec) throw ws_closed(1006);
    end_ += n;
}

ws_frame next_frame(std::string_view bytes) {
    ws_frame f;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto avail = bytes.size();
    if (avail < 2) return f;
    std::uint64_t len = p[1] & 0x7f;
    std::size_t head = 2;
    if (len == 126) {
        if (avail < 4) return f;
        len = (std::uint64_t{p[2]} << 8) | p[3];
        head = 4;
    } else if (len == 127) {
        if (avail < 10) return f;
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | p[2 + i];
        head = 10;
    }
    if (avail - head < len) return f;
    f.opcode = p[0] & 0x0f;
    f.payload = bytes.substr(head, len);
    f.size = head + len;
    return f;
}

std::uint64_t new_mask_state() {
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) |
           1;
}

void append_frame(std::uint8_t opcode, std::string_view payload, std::uint64_t& mask_state,
                  std::string& out) {
    out.push_back(static_cast<char>(0x80 | opcode));
    auto n = payload.size();
    if (n < 126) {
        out.push_back(static_cast<char>(0x80 | n));
    } else if (n <= 0xffff) {
        out.push_back(static_cast<char>(0x80 | 126));
        out.push_back(static_cast<char>(n >> 8));
        out.push_back(static_cast<char>(n & 0xff));
    } else {
        out.push_back(static_cast<char>(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff));
    }
    mask_state ^= mask_state << 13;  // xorshift: a fresh mask per frame
    mask_state ^= mask_state >> 7;
    mask_state ^= mask_state << 17;
    unsigned char mask[4];
    std::memcpy(mask, &mask_state, 4);
    out.append(reinterpret_cast<const char*>(mask), 4);
    // Masked eight bytes at a time (the mask repeats every four).
    auto at = out.size();
    out.resize(at + n);
    char* to = out.data() + at;
    std::uint64_t mask8 = 0;
    std::memcpy(&mask8, mask, 4);
    std::memcpy(reinterpret_cast<char*>(&mask8) + 4, mask, 4);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, payload.data() + i, 8);
        word ^= mask8;
        std::memcpy(to + i, &word, 8);
    }
    for (; i < n; ++i)
        to[i] = static_cast<char>(payload[i] ^ static_cast<char>(mask[i & 3]));
}

asio::awaitable<std::string_view> raw_ws::read() {
    for (;;) {
        auto f = next_frame(std::string_view(in_.data() + begin_, end_ - begin_));
        if (f.size == 0) {
            co_await fill();
            continue;
        }
        begin_ += f.size;
        if (f.opcode == 0x1 || f.opcode == 0x2 || f.opcode == 0x0) co_return f.payload;
        if (f.opcode == 0x8) throw ws_closed(close_code(f.payload));
        if (f.opcode == 0x9) {
            std::string pong;
            append_frame(0xA, f.payload, mask_state_, pong);
            co_await asio::async_write(socket_, asio::buffer(pong), use_awaitable);
        }
    }
}

int raw_ws::release(std::string& unread) {
    unread.assign(in_.data() + begin_, end_ - begin_);
    begin_ = end_ = 0;
    return socket_.release();
}

asio::awaitable<void> raw_ws::write(std::string_view text) {
    out_.clear();
    append_frame(0x1, text, mask_state_, out_);
    co_await asio::async_write(socket_, asio::buffer(out_), use_awaitable);
}

asio::awaitable<void> raw_ws::close(std::uint16_t code) {
    char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    out_.clear();
    append_frame(0x8, std::string_view(payload, 2), mask_state_, out_);
    co_await asio::async_write(socket_, asio::buffer(out_), use_awaitable);
}

}  // namespace belay::bench::net
