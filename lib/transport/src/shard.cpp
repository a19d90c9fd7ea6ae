#include <parley/transport/shard.hpp>

#include <asio/executor_work_guard.hpp>

namespace parley {

shard::shard(unsigned index) : index_(index), timers_(steady_clock::now()) {}

void shard::run() {
    thread_id_ = std::this_thread::get_id();
    auto guard = asio::make_work_guard(io_); // an idle shard waits instead of returning
    io_.restart();
    while (!stopping_.load(std::memory_order_relaxed)) {
        // Sleep until the next handler or the next timer, whichever comes first; then run
        // everything that is ready and fire what is due.
        if (auto next = timers_.next_deadline())
            io_.run_one_until(*next);
        else
            io_.run_one();
        io_.poll();
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
