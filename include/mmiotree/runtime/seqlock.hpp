// runtime/seqlock.hpp: the sequence lock under which an address space publishes what guest
// accesses read — slot placements (the overlay) and leaf bindings.
//
// One writer at a time (the address space's writer lock serialises them); any number of readers,
// which never block and never write: a reader notes the sequence number, reads, and retries if
// the number moved (or was odd: a write in progress). Every shared word is read and written
// through `std::atomic_ref` with relaxed order between the fences of the protocol (Boehm,
// "Can seqlocks get along with programming language memory models?", 2012), so there is no data
// race: ThreadSanitizer-clean by construction. While no write happens a read section costs two
// loads of one cache line that stays shared among the readers.
#pragma once

#include <mmiotree/core/config.hpp>

#include <atomic>
#include <cstdint>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

class seqlock {
 public:
  /// Starts a read section: the sequence number to pass to `retry`.
  [[nodiscard]] std::uint64_t read_begin() const noexcept {
    for (;;) {
      const std::uint64_t s = ref().load(std::memory_order_acquire);
      if ((s & 1U) == 0) return s;
    }
  }
  /// Ends a read section: true if a write overlapped it (the reads must be redone).
  [[nodiscard]] bool retry(std::uint64_t s) const noexcept {
    std::atomic_thread_fence(std::memory_order_acquire);
    return ref().load(std::memory_order_relaxed) != s;
  }

  /// Brackets a write (one writer at a time).
  void write_begin() noexcept {
    const std::uint64_t s = ref().load(std::memory_order_relaxed);
    ref().store(s + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
  }
  void write_end() noexcept {
    const std::uint64_t s = ref().load(std::memory_order_relaxed);
    ref().store(s + 1, std::memory_order_release);
  }

  /// A shared word, read inside a read section / written inside a write.
  template <class T>
  [[nodiscard]] static T load(const T& w) noexcept {
    return std::atomic_ref<T>(const_cast<T&>(w)).load(std::memory_order_relaxed);
  }
  template <class T>
  static void store(T& w, T v) noexcept {
    std::atomic_ref<T>(w).store(v, std::memory_order_relaxed);
  }

 private:
  std::atomic_ref<std::uint64_t> ref() const noexcept {
    return std::atomic_ref<std::uint64_t>(seq_);
  }
  alignas(64) mutable std::uint64_t seq_ = 0;
};

}  // namespace detail

MMIOTREE_END_NAMESPACE
