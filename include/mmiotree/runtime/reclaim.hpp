// runtime/reclaim.hpp: when may a VMM free what a commit or an unbind removed — munmap a BAR,
// destroy a handler — while vCPU threads keep dispatching? After a grace period: once every
// thread that dispatches has passed a point where it holds no access in flight.
//
// Quiescent-state-based reclamation (QSBR, as liburcu's qsbr flavour and QEMU's vCPU loops do):
// each thread that dispatches enrolls once and says `quiescent()` between accesses — in a VMM,
// once per trip through its vCPU loop — or goes `offline()` while it will not dispatch (blocked
// in KVM_RUN, idle). Guest accesses themselves pay nothing. `synchronize()` returns once every
// enrolled thread that is online has said `quiescent()` since the call began; then no access
// that could have seen the old map or the old binding is still running.
//
//   auto me = space.enroll_reader();                 // once per vCPU thread
//   for (;;) { run_vcpu(); dispatch_exit(space); me.quiescent(); }
//   ...
//   space.transaction().disable(bar).commit();        // elsewhere: unplug
//   space.synchronize();                              // no access uses the BAR any more
//   munmap(bar_mapping);
//
// A thread that dispatches without enrolling is not waited for: enroll every one. Never call
// `synchronize()` from a handler or from an enrolled thread that is online between its accesses
// of this space without first saying `quiescent()` (it would wait for itself).
#pragma once

#include <mmiotree/core/config.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <sched.h>

MMIOTREE_BEGIN_NAMESPACE

class reader_registry {
 public:
  /// Most threads enrolled at once.
  static constexpr std::size_t capacity = 128;

  /// One enrolled thread. Movable; leaving (destruction) unenrolls it.
  class reader {
   public:
    reader() noexcept = default;
    reader(reader&& o) noexcept : r_(o.r_), k_(o.k_) { o.r_ = nullptr; }
    reader& operator=(reader&& o) noexcept {
      if (this != &o) {
        leave();
        r_ = o.r_;
        k_ = o.k_;
        o.r_ = nullptr;
      }
      return *this;
    }
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;
    ~reader() { leave(); }

    /// False when the registry was full.
    [[nodiscard]] explicit operator bool() const noexcept { return r_ != nullptr; }

    /// This thread holds no access in flight: everything published before the last grace period
    /// began is what its next access sees. Two plain stores and a load on x86.
    void quiescent() noexcept {
      if (r_)
        r_->records_[k_].seen.store(r_->period_.load(std::memory_order_acquire),
                                    std::memory_order_release);
    }
    /// This thread will not dispatch until `online()`; grace periods do not wait for it.
    void offline() noexcept {
      if (r_) r_->records_[k_].state.store(offline_state, std::memory_order_seq_cst);
    }
    void online() noexcept {
      if (!r_) return;
      record& rec = r_->records_[k_];
      rec.state.store(online_state, std::memory_order_seq_cst);
      rec.seen.store(r_->period_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
    }

   private:
    friend class reader_registry;
    reader(reader_registry& r, std::size_t k) noexcept : r_(&r), k_(k) {}
    void leave() noexcept {
      if (r_) r_->records_[k_].state.store(free_state, std::memory_order_release);
      r_ = nullptr;
    }
    reader_registry* r_ = nullptr;
    std::size_t k_ = 0;
  };

  reader_registry() = default;
  reader_registry(const reader_registry&) = delete;
  reader_registry& operator=(const reader_registry&) = delete;

  /// Enrolls the calling thread, online; an empty reader when `capacity` are enrolled.
  [[nodiscard]] reader enroll() noexcept {
    for (std::size_t k = 0; k < capacity; ++k) {
      std::uint8_t expected = free_state;
      if (records_[k].state.compare_exchange_strong(expected, online_state,
                                                    std::memory_order_seq_cst)) {
        records_[k].seen.store(period_.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
        return reader(*this, k);
      }
    }
    return {};
  }

  /// Waits until every enrolled, online thread has said `quiescent()` since this call began.
  /// Call it after the change (commit, unbind) whose leftovers are to be freed.
  void synchronize() noexcept {
    const std::uint64_t g = period_.fetch_add(1, std::memory_order_seq_cst) + 1;
    for (record& rec : records_) {
      while (rec.state.load(std::memory_order_seq_cst) == online_state &&
             rec.seen.load(std::memory_order_acquire) < g)
        ::sched_yield();  // POSIX (<thread>, for std::this_thread::yield, is a heavy include)
    }
  }

 private:
  static constexpr std::uint8_t free_state = 0, online_state = 1, offline_state = 2;
  struct alignas(64) record {  // one cache line each: a reader writes only its own
    std::atomic<std::uint64_t> seen{0};
    std::atomic<std::uint8_t> state{free_state};
  };
  std::array<record, capacity> records_{};
  alignas(64) std::atomic<std::uint64_t> period_{1};
};

MMIOTREE_END_NAMESPACE
