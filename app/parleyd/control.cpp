#include "control.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace parley {

namespace {

constexpr std::size_t max_command = 256;
constexpr int client_timeout_ms = 2000;

bool make_address(const std::string& path, sockaddr_un& out) {
    std::memset(&out, 0, sizeof out);
    out.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof out.sun_path) return false;
    std::memcpy(out.sun_path, path.c_str(), path.size());
    return true;
}

void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

} // namespace

control_server::control_server(std::string path, handler answer)
    : path_(std::move(path)), answer_(std::move(answer)) {}

control_server::~control_server() {
    stop();
}

bool control_server::start(std::string& error) {
    sockaddr_un address;
    if (!make_address(path_, address)) {
        error = "control socket path too long or empty: " + path_;
        return false;
    }
    // A file left by a server that died is removed; a live server keeps its socket.
    if (control_request(path_, "") == 0) {
        error = "another parleyd answers on " + path_;
        return false;
    }
    ::unlink(path_.c_str());
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0 ||
        ::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 8) != 0) {
        error = "control socket " + path_ + ": " + std::strerror(errno);
        if (listener_ >= 0) ::close(listener_);
        listener_ = -1;
        return false;
    }
    thread_ = std::thread([this] { run(); });
    return true;
}

void control_server::stop() noexcept {
    if (listener_ < 0) return;
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
    listener_ = -1;
    ::unlink(path_.c_str());
}

void control_server::run() noexcept {
    while (!stopping_) {
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue; // wakes up to see stopping_
        int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        // A client that does not read its answer cannot hold the thread (nor shutdown).
        timeval limit{client_timeout_ms / 1000, 0};
        ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        // One line, at most max_command bytes, within the client timeout.
        std::string command;
        char buffer[max_command];
        while (command.size() < max_command && command.find('\n') == std::string::npos) {
            pollfd c{client, POLLIN, 0};
            if (::poll(&c, 1, client_timeout_ms) <= 0) break;
            ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            command.append(buffer, static_cast<std::size_t>(n));
        }
        if (std::size_t end = command.find_first_of("\r\n"); end != std::string::npos)
            command.resize(end);
        if (!command.empty()) write_all(client, answer_(command));
        ::close(client);
    }
}

int control_request(const std::string& path, const std::string& command) {
    sockaddr_un address;
    if (!make_address(path, address)) return 1;
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 1;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return 1;
    }
    if (!command.empty()) {
        write_all(fd, command + "\n");
        char buffer[4096];
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) break;
            ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            std::fwrite(buffer, 1, static_cast<std::size_t>(n), stdout);
        }
    }
    ::close(fd);
    return 0;
}

} // namespace parley
