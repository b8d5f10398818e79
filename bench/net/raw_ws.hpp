#pragma once
// The bench's own WebSocket client: RFC 6455 over a plain TCP socket, cut
// down to what the scenarios need, so that the client is not what limits
// them. One read into a large buffer yields every frame it holds (a server
// that batches writes is read in as few system calls); text frames are
// returned as views into that buffer; the server's frames are not masked,
// the client's are.
//
// Threads: one strand. One read and one write may be in flight at once.
// Once upgraded, a socket may leave Asio (release()) for the live loop
// (live_loop.hpp), which frames with the functions below.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace belay::bench::net {

// The peer closed (a close frame or end of stream): `code` is its close code
// (1006 if none).
struct ws_closed : std::runtime_error {
    explicit ws_closed(int code)
        : std::runtime_error("the WebSocket was closed with " + std::to_string(code)), code(code) {}
    int code;
};

// The frame at the front of `bytes`: `size` is 0 while it is incomplete.
struct ws_frame {
    std::uint8_t opcode = 0;
    std::string_view payload;
    std::size_t size = 0;  // header and payload
};
ws_frame next_frame(std::string_view bytes);

// Appends a client frame (masked with the next mask of `mask_state`, a
// xorshift state that must not be 0) to `out`.
void append_frame(std::uint8_t opcode, std::string_view payload, std::uint64_t& mask_state,
                  std::string& out);

// A fresh, non-zero mask state.
std::uint64_t new_mask_state();

class raw_ws {
  public:
    explicit raw_ws(boost::asio::ip::tcp::socket socket);

    // Connects and upgrades; throws on a refusal (with the HTTP status line).
    static boost::asio::awaitable<raw_ws> connect(boost::asio::ip::tcp::endpoint at,
                                                  std::string host, std::string path);

    // The next text message: a view valid until the next read. Answers pings
    // itself (the live sockets that write leave Asio before they do).
    boost::asio::awaitable<std::string_view> read();
    boost::asio::awaitable<void> write(std::string_view text);
    boost::asio::awaitable<void> close(std::uint16_t code = 1000);
    // Takes the socket out of Asio (no operation may be in flight): its
    // descriptor, now the caller's to close, and into `unread` what was read
    // from it but not yet returned.
    int release(std::string& unread);

  private:
    boost::asio::awaitable<void> fill();  // reads more bytes into the buffer

    boost::asio::ip::tcp::socket socket_;
    std::vector<char> in_;
    std::size_t begin_ = 0, end_ = 0;  // unread bytes
    std::string out_;
    std::uint64_t mask_state_;
};

}  // namespace belay::bench::net
