// RTP echo capacity of one media shard: N concurrent G.711 calls at 20 ms ptime (50 packets/s
// each way), echoed by a media_context on one thread pinned to CPU 0, driven by a generator on
// CPU 1 with one socket per call. For each N it reports the packets echoed per second, the
// loss, and the media thread's CPU use (its own thread CPU clock); packets per second per core
// = echoed / CPU share. Loopback only: run inside scripts/isolated.
//
//   build/release/bench/rtp_echo_load [SECONDS] [N...]     (default 5 s; 250 500 1000 2000)
#include <parley/media/media_context.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/steady_timer.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <thread>
#include <vector>

using namespace parley;

namespace {

void pin(unsigned cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu % std::max(1u, std::thread::hardware_concurrency()), &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct load_result {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    double media_cpu = 0;
    double seconds = 0;
};

load_result run(unsigned calls, double seconds) {
    asio::io_context io;
    media::media_context context(io,
                                 {.address = "127.0.0.1", .port_min = 20000, .port_max = 60000});
    std::vector<media::media_context::stream_id> streams;
    for (unsigned i = 0; i < calls; ++i) {
        auto id = context.open();
        if (!id) break;
        context.echo(*id);
        streams.push_back(*id);
    }
    std::atomic<bool> stop{false};
    std::atomic<double> media_cpu{0};
    std::thread media([&] {
        pin(0);
        double start = thread_cpu_seconds();
        auto guard = asio::make_work_guard(io);
        while (!stop.load(std::memory_order_relaxed)) io.run_for(std::chrono::milliseconds(50));
        media_cpu = thread_cpu_seconds() - start;
    });

    // The generator: one socket per call, a packet per call every 20 ms, echoes drained by epoll.
    pin(1);
    int poller = epoll_create1(0);
    std::vector<int> sockets;
    std::vector<sockaddr_in> targets;
    for (auto id : streams) {
        int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
        sockaddr_in to = local;
        to.sin_port = htons(context.port_of(id));
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.fd = fd;
        epoll_ctl(poller, EPOLL_CTL_ADD, fd, &e);
        sockets.push_back(fd);
        targets.push_back(to);
    }
    unsigned char packet[172] = {0x80, 0x00};
    std::fill(packet + 12, packet + 172, 0xff);
    load_result r;
    auto begin = std::chrono::steady_clock::now();
    auto end = begin + std::chrono::duration<double>(seconds);
    auto next = begin;
    std::uint16_t sequence = 0;
    std::vector<epoll_event> ready(1024);
    char buffer[2048];
    while (std::chrono::steady_clock::now() < end) {
        if (std::chrono::steady_clock::now() >= next) {
            packet[2] = static_cast<unsigned char>(sequence >> 8);
            packet[3] = static_cast<unsigned char>(sequence);
            ++sequence;
            for (std::size_t i = 0; i < sockets.size(); ++i)
                if (::sendto(sockets[i], packet, sizeof packet, 0,
                             reinterpret_cast<sockaddr*>(&targets[i]), sizeof targets[i]) > 0)
                    ++r.sent;
            next += std::chrono::milliseconds(20);
        }
        int n = epoll_wait(poller, ready.data(), static_cast<int>(ready.size()), 2);
        for (int i = 0; i < n; ++i)
            while (::recv(ready[static_cast<std::size_t>(i)].data.fd, buffer, sizeof buffer, 0) > 0)
                ++r.received;
    }
    double window = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    // Late echoes: a short drain.
    auto drain = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (std::chrono::steady_clock::now() < drain) {
        int n = epoll_wait(poller, ready.data(), static_cast<int>(ready.size()), 10);
        for (int i = 0; i < n; ++i)
            while (::recv(ready[static_cast<std::size_t>(i)].data.fd, buffer, sizeof buffer, 0) > 0)
                ++r.received;
    }
    r.seconds = window;
    stop = true;
    media.join();
    r.media_cpu = media_cpu.load();
    for (int fd : sockets) ::close(fd);
    ::close(poller);
    return r;
}

} // namespace

int main(int argc, char** argv) {
    double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
    std::vector<unsigned> counts;
    for (int i = 2; i < argc; ++i) counts.push_back(static_cast<unsigned>(std::atoi(argv[i])));
    if (counts.empty()) counts = {250, 500, 1000, 2000};
    std::printf("calls  sent/s   echoed/s  lost      media CPU  echoed pkts/s per core\n");
    for (unsigned calls : counts) {
        load_result r = run(calls, seconds);
        double cpu_share = r.media_cpu / r.seconds;
        double echoed = static_cast<double>(r.received) / r.seconds;
        std::printf("%-6u %-8.0f %-9.0f %-9llu %5.1f %%    %.0f\n", calls,
                    static_cast<double>(r.sent) / r.seconds, echoed,
                    static_cast<unsigned long long>(r.sent - std::min(r.sent, r.received)),
                    100 * cpu_share, cpu_share > 0 ? echoed / cpu_share : 0.0);
        std::fflush(stdout);
    }
    return 0;
}
