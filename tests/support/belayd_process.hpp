#pragma once
// The real belayd binary as a child process on 127.0.0.1 and a free port,
// with a fresh or given data directory. Stops it (SIGTERM) on destruction.

#include <sys/types.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace belay::test {

class belayd_process {
  public:
    // Starts belayd (BELAY_BELAYD, set by CMake) on `data_dir` with extra
    // arguments, and waits until it listens. Throws if it does not start.
    belayd_process(std::string data_dir, std::vector<std::string> extra_args = {});
    ~belayd_process();
    belayd_process(const belayd_process&) = delete;
    belayd_process& operator=(const belayd_process&) = delete;

    unsigned short port() const { return port_; }
    const std::string& data_dir() const { return data_dir_; }
    // The admin token from DATA_DIR/admin.token.
    std::string admin_token() const;
    // Everything belayd printed on stdout and stderr so far.
    std::string output() const;

    // SIGTERM, then wait; returns the exit code (-1 if it did not exit in time).
    int stop();
    // SIGKILL, then wait.
    void kill();
    bool running() const { return pid_ > 0; }

  private:
    int wait_for_exit(int timeout_ms);

    std::string data_dir_;
    pid_t pid_ = -1;
    int out_fd_ = -1;
    unsigned short port_ = 0;
    mutable std::mutex mutex_;
    std::string output_;
    std::thread reader_;
};

}  // namespace belay::test
