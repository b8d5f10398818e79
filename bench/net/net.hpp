#pragma once
// belay-bench's network scenarios: real sockets against any server that
// speaks PROTOCOL.md (Belay, or the old service's subset with --protocol
// old: no seq, no acks; deliveries are then matched to sends by content).
// Beast stays in the .cpp files.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace belay::bench::net {

// Where the server is. A local belayd started for the run has a pid, whose
// CPU and memory the report includes.
struct target {
    std::string host = "127.0.0.1";
    unsigned short port = 8000;
    std::string token;
    bool old_protocol = false;  // no seq, no ids, no acks
    int pid = -1;               // a local server's pid (/proc figures), -1 if none
};

// What every network scenario takes.
struct common_params {
    std::string url;     // http://HOST:PORT (with --token); empty: start --belayd
    std::string token;   // the admin's (users are created) or one user's token
    std::string belayd;  // a belayd binary to start for the run
    std::string durability = "sync";
    std::optional<int> server_pid;  // report this local server's CPU and memory
    bool old_protocol = false;
    unsigned client_threads = 1;
    double seconds = 5;
    std::string report_path;
};

struct ingest_params {
    common_params common;
    unsigned publishers = 64;
    unsigned sessions = 64;
    unsigned window = 16;  // messages in flight per publisher (unacked)
    double rate = 0;       // messages/s over all publishers; 0: as fast as acks allow
    unsigned landmarks = 33;
};

struct fanout_params {
    common_params common;
    unsigned subscribers = 1000;
    double rate = 500;  // messages/s from the one publisher
    unsigned landmarks = 1;
};

struct gym_params {
    common_params common;
    std::vector<unsigned> sessions{100};  // sizes to run; with find: the first step
    bool find = false;                    // search for the largest passing size
    unsigned viewers = 1;                 // per session
    double pose_hz = 30;
    unsigned landmarks = 33;
    double max_p99_ms = 50;
};

struct replay_params {
    common_params common;
    unsigned clients = 1;
    std::uint64_t events = 100'000;  // recorded first (unless session given)
    std::string session;             // replay this existing session instead
    unsigned landmarks = 1;
};

int run_ingest(const ingest_params& p);
int run_fanout(const fanout_params& p);
int run_gym(const gym_params& p);
int run_replay(const replay_params& p);
int run_compare(const std::string& a, const std::string& b);

}  // namespace belay::bench::net
