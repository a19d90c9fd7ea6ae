#include <parley/transport/shard.hpp>

#include <parley/sip/header_values.hpp>
#include <parley/sip/message.hpp>

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

std::string shard_group::mark(std::size_t index) {
    return "~" + std::to_string(index);
}

std::optional<std::size_t> shard_group::marked(std::string_view id) const noexcept {
    std::size_t tilde = id.rfind('~');
    if (tilde == std::string_view::npos || tilde + 1 == id.size() || id.size() - tilde > 4)
        return std::nullopt;
    std::size_t index = 0;
    for (char c : id.substr(tilde + 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        index = index * 10 + static_cast<std::size_t>(c - '0');
    }
    if (index >= shards_.size()) return std::nullopt;
    return index;
}

std::size_t shard_group::index_for(const message& m) const noexcept {
    if (shards_.size() == 1) return 0;
    if (m.is_response()) {
        if (!m.vias().empty())
            if (auto index = marked(m.vias().front().branch)) return *index;
    } else if (!m.to().tag.empty()) {
        if (auto index = marked(m.to().tag)) return *index;
    } else if (m.method() == method::invite && m.find(header_id::replaces) != nullptr) {
        // RFC 3891 §3: the UAS matches the to-tag "as if [it was a tag] present in an incoming
        // request", so it is our tag of the replaced dialog.
        if (auto r = find_replaces(m); r && *r) {
            if (auto index = marked((*r)->to_tag)) return *index;
            return index_for((*r)->call_id);
        }
    }
    return index_for(m.call_id());
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
