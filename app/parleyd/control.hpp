// control: parleyd's local control socket, for operators. The server listens on a Unix stream
// socket; a client (`parleyd --ctl COMMAND`) connects, writes one command line, reads the
// answer until the server closes. Commands: "show channels" (the active sessions, like
// Asterisk's `pjsip show channels`) and "help".
//
// Threads: the server runs one thread of its own that accepts and answers one client at a
// time, each with a bounded wait; the handler it calls must be safe from that thread (parleyd's
// gathers from the shards by posting). stop() (or the destructor) ends the thread and removes
// the socket file.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace parley {

class control_server {
public:
    using handler = std::function<std::string(std::string_view command)>;

    control_server(std::string path, handler answer);
    ~control_server();
    control_server(const control_server&) = delete;
    control_server& operator=(const control_server&) = delete;

    /// Binds and starts listening; false with `error` set when it cannot (a live server owns
    /// the path, or the folder is not writable).
    bool start(std::string& error);
    void stop() noexcept;
    const std::string& path() const noexcept { return path_; }

private:
    void run() noexcept;

    std::string path_;
    handler answer_;
    int listener_ = -1;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

/// Sends `command` to the server at `path` and prints its answer; the exit code of
/// `parleyd --ctl` (0 answered, 1 no server there).
int control_request(const std::string& path, const std::string& command);

} // namespace parley
