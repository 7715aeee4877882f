// runtime/space_base.hpp: the state and the code of an address space that do not depend on its
// tree — the writer lock, the readers, the listeners, the attached states and restore checks —
// compiled once per translation unit instead of once per tree.
//
// Why a base class: every member function of `address_space<Tree>`, every type nested in it and
// every standard-library template instantiated with such a type is mangled with the whole tree
// spelled out (about 21 KB per symbol for a machine of 256 BAR slots). Code that never reads the
// tree costs nothing per tree here (docs/benchmarks.md, "Compile time").
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/runtime/binding.hpp>
#include <mmiotree/runtime/dynamic_space.hpp>
#include <mmiotree/runtime/listener.hpp>
#include <mmiotree/runtime/listener_set.hpp>
#include <mmiotree/runtime/reclaim.hpp>
#include <mmiotree/runtime/restore_check.hpp>
#include <mmiotree/runtime/seqlock.hpp>
#include <mmiotree/runtime/snapshot.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

MMIOTREE_BEGIN_NAMESPACE

namespace detail {

/// A state attached with `attach_state`.
struct attached_state {
  std::uint32_t key;
  void* handler;
  state_ops ops;
};

/// The tree-independent part of `address_space<Tree>` (see the file comment).
class space_base : public dynamic_space {
 public:
  /// Enrolls the calling thread as one that dispatches guest accesses (a vCPU thread), for
  /// `synchronize` (runtime/reclaim.hpp). It says `quiescent()` between accesses.
  [[nodiscard]] reader_registry::reader enroll_reader() noexcept { return readers_.enroll(); }
  /// Waits for a grace period: no access that began before the call still runs on an enrolled
  /// thread, so what the last commit or unbind removed — host memory, a handler — may be freed.
  void synchronize() override { readers_.synchronize(); }

  void remove_listener(listener_id id) override {
    std::lock_guard<std::mutex> writer(writer_);
    listeners_.remove(id);
  }

  using dynamic_space::attach_state;
  bool attach_state(std::uint32_t key, void* handler, const state_ops& ops) override {
    std::lock_guard<std::mutex> writer(writer_);
    if (key >= snapshot_format::attached_bit || handler == nullptr || !ops.size) return false;
    auto at = std::lower_bound(attached_.begin(), attached_.end(), key,
                               [](const attached_state& a, std::uint32_t k) { return a.key < k; });
    if (at != attached_.end() && at->key == key) return false;
    attached_.insert(at, attached_state{key, handler, ops});
    return true;
  }
  void detach_state(std::uint32_t key) override {
    std::lock_guard<std::mutex> writer(writer_);
    std::erase_if(attached_, [&](const attached_state& a) { return a.key == key; });
  }
  void add_restore_check(restore_check& c) override {
    std::lock_guard<std::mutex> writer(writer_);
    checks_.push_back(&c);
  }
  void remove_restore_check(restore_check& c) override {
    std::lock_guard<std::mutex> writer(writer_);
    std::erase(checks_, &c);
  }

 protected:
  space_base() = default;
  ~space_base() = default;

  /// The attached state a snapshot section id names (attached_.size() if none).
  [[nodiscard]] std::size_t attached_index(std::uint64_t id) const noexcept {
    namespace snap = snapshot_format;
    if ((id & snap::attached_bit) == 0 || id > 0xFFFF'FFFF) return attached_.size();
    const std::uint64_t key = id & ~std::uint64_t{snap::attached_bit};
    for (std::size_t a = 0; a < attached_.size(); ++a)
      if (attached_[a].key == key) return a;
    return attached_.size();
  }

  seqlock published_;
  /// The threads that dispatch, for grace periods.
  reader_registry readers_;
  listener_set listeners_;
  /// Serialises commits, bindings, listener registration and restores (one writer).
  mutable std::mutex writer_;
  /// States attached with `attach_state`, by key (ascending, unique); the restore checks.
  /// Changed under the writer lock.
  std::vector<attached_state> attached_;
  std::vector<restore_check*> checks_;
  /// The writer's buffers for the events of a change (the views before and after it), kept
  /// between commits so that a commit allocates nothing once they have grown.
  std::vector<map_event> events_before_, events_after_;
};

}  // namespace detail

MMIOTREE_END_NAMESPACE
