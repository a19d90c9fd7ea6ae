// shard: one thread with its own event loop (a standalone Asio io_context), timer wheel and
// tables. A dialog, its transactions and its session live on the shard chosen by a hash of the
// Call-ID, or on the shard its tags and branches are marked with (an INVITE with Replaces joins
// the shard of the dialog it replaces, whatever its own Call-ID); every other thread reaches
// them only by post(), which is Asio's thread-safe queue plus a wakeup. Nothing is shared
// behind a lock and no shard ever waits for another.
//
// shard_group owns the shards and their threads. Ownership: the group owns shards; a shard
// owns its io_context and timer wheel. Threads: run() executes on the shard's own thread;
// post() may be called from any thread; everything else only from the shard's thread.
#pragma once

#include <parley/base/time.hpp>
#include <parley/base/timer_wheel.hpp>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace parley {

class message;

class shard {
public:
    explicit shard(unsigned index);
    shard(const shard&) = delete;
    shard& operator=(const shard&) = delete;

    unsigned index() const noexcept { return index_; }
    asio::io_context& io() noexcept { return io_; }
    timer_wheel& timers() noexcept { return timers_; }

    /// Runs `fn` on this shard's thread, soon. Callable from any thread.
    template <class Fn>
    void post(Fn&& fn) {
        asio::post(io_, std::forward<Fn>(fn));
    }

    /// The event loop: runs handlers and fires due timers until stop(). Call on the shard's thread.
    void run();
    /// Asks run() to return (from any thread); handlers already queued may not run.
    void stop();
    bool on_own_thread() const noexcept { return std::this_thread::get_id() == thread_id_; }

private:
    unsigned index_;
    asio::io_context io_{1}; // concurrency hint 1: one thread runs this context
    timer_wheel timers_;
    std::atomic<bool> stopping_{false};
    std::thread::id thread_id_{};
};

class shard_group {
public:
    /// `count` shards; 0 means one per core.
    explicit shard_group(unsigned count = 0);
    ~shard_group();
    shard_group(const shard_group&) = delete;
    shard_group& operator=(const shard_group&) = delete;

    std::size_t size() const noexcept { return shards_.size(); }
    shard& at(std::size_t i) noexcept { return *shards_[i]; }
    /// The shard that owns the dialog with this Call-ID (a stable hash, the same on every shard).
    shard& for_call_id(std::string_view call_id) noexcept { return *shards_[index_for(call_id)]; }
    std::size_t index_for(std::string_view call_id) const noexcept;

    /// The shard that owns what a received message belongs to:
    ///  - a response: the shard marked in its top Via branch (the branches of our requests);
    ///  - a request with a To tag: the shard marked in that tag (ours, in our dialogs);
    ///  - an INVITE with Replaces (RFC 3891 §3: its to-tag is ours): the shard of the dialog it
    ///    replaces, by that tag's mark or else by the hash of that dialog's Call-ID;
    ///  - anything else, or a value without a mark of ours: the hash of the Call-ID.
    std::size_t index_for(const message& m) const noexcept;
    shard& for_message(const message& m) noexcept { return *shards_[index_for(m)]; }
    /// The suffix that marks a tag or a branch as made on shard `index`: "~2" (RFC 3261 token
    /// characters only). The session layer ends its tags and branches with it.
    static std::string mark(std::size_t index);
    /// The shard named by the mark ending `tag_or_branch`, if it names one of ours.
    std::optional<std::size_t> marked(std::string_view tag_or_branch) const noexcept;

    /// Starts one thread per shard running shard::run().
    void start();
    /// Stops every shard and joins the threads. Idempotent.
    void stop();

private:
    std::vector<std::unique_ptr<shard>> shards_;
    std::vector<std::thread> threads_;
};

} // namespace parley
