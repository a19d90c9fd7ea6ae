#include <parley/transport/shard.hpp>

#include <asio/executor_work_guard.hpp>

namespace parley {

shard::shard(unsigned index) : index_(index), timers_(steady_clock::now()) {}

void shard::run() {
    thread_id_ = std::this_thread::get_id();
    auto guard = asio::make_work_guard(io_); // an idle shard waits instead of returning
    io_.restart();
    while (!stopping_.load(std::memory_order_relaxed)) {
        // One handler per turn, then what is due. run_one asks the reactor (epoll_wait, blocking
        // until the next timer at most) only when no handler is ready, so a wake-up costs one
        // epoll_wait: draining with poll() here asked it once more, with a zero timeout, after
        // the last ready handler (0.65 per wake-up at 1,000 calls/s).
        if (auto next = timers_.next_deadline())
            io_.run_one_until(*next);
        else
            io_.run_one();
        timers_.advance(steady_clock::now());
    }
}

void shard::stop() {
    stopping_.store(true, std::memory_order_relaxed);
    io_.stop();
}

shard_group::shard_group(unsigned count) {
    if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < count; ++i) shards_.push_back(std::make_unique<shard>(i));
}

shard_group::~shard_group() {
    stop();
}

std::size_t shard_group::index_for(std::string_view call_id) const noexcept {
    // FNV-1a: stable across runs and processes, cheap for a short key.
    std::uint64_t h = 14695981039346656037ull;
    for (char c : call_id) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return static_cast<std::size_t>(h % shards_.size());
}

void shard_group::start() {
    for (auto& s : shards_) threads_.emplace_back([shard = s.get()] { shard->run(); });
}

void shard_group::stop() {
    for (auto& s : shards_) s->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

} // namespace parley
