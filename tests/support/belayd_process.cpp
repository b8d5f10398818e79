#include "belayd_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

namespace belay::test {

belayd_process::belayd_process(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)) {
    std::vector<std::string> args = {BELAY_BELAYD,  "--data-dir",       data_dir_, "--listen",
                                     "127.0.0.1:0", "--stats-interval", "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::close(fds[0]);
        ::close(fds[1]);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    out_fd_ = fds[0];
    reader_ = std::thread([this] {
        char buf[4096];
        for (ssize_t n; (n = ::read(out_fd_, buf, sizeof buf)) > 0;) {
            std::lock_guard lock(mutex_);
            output_.append(buf, static_cast<std::size_t>(n));
        }
    });
    const std::string listening = "belayd listening on http://127.0.0.1:";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        auto out = output();
        if (auto at = out.find(listening); at != std::string::npos) {
            auto digits = out.substr(at + listening.size());
            if (digits.find(' ') != std::string::npos) {  // the whole line is in
                port_ = static_cast<unsigned short>(std::stoi(digits));
                return;
            }
        }
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            reader_.join();
            throw std::runtime_error("belayd exited at start:\n" + output());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill();
    throw std::runtime_error("belayd did not start listening:\n" + output());
}

belayd_process::~belayd_process() {
    if (pid_ > 0) stop();
    if (pid_ > 0) kill();
    if (reader_.joinable()) reader_.join();
    if (out_fd_ >= 0) ::close(out_fd_);
}

std::string belayd_process::admin_token() const {
    std::ifstream f(data_dir_ + "/admin.token");
    std::string token;
    std::getline(f, token);
    return token;
}

std::string belayd_process::output() const {
    std::lock_guard lock(mutex_);
    return output_;
}

int belayd_process::wait_for_exit(int timeout_ms) {
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            if (reader_.joinable()) reader_.join();
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
}

int belayd_process::stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    return wait_for_exit(20'000);
}

void belayd_process::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    wait_for_exit(20'000);
}

}  // namespace belay::test
