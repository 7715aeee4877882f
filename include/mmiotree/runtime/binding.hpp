// runtime/binding.hpp: what a leaf is bound to at run time — host memory for a passthrough leaf,
// a handler for an io or regs leaf — and the thunks through which a guest access reaches it.
//
// A binding is a context pointer and two function pointers (no virtual call): the dispatcher
// makes one indirect call per unit. Values crossing a thunk are in guest order (byte k of the
// value is the byte at offset + k); the thunk of a big-endian region swaps.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/handler.hpp>
#include <mmiotree/core/result.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/runtime/host_access.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

MMIOTREE_BEGIN_NAMESPACE

/// Outcome of a bind — of host memory to a passthrough leaf, of a handler to an io or
/// register-block leaf. A bind by typed path checks everything it can at compile time (a path
/// naming no region, or a region of the wrong kind, is a compile error), so what is left is
/// what only run time knows: the memory given, and whether a slot handle holds a slot.
enum class bind_status : std::uint8_t {
  ok,
  null_host_memory,       ///< the span's data pointer is null
  host_memory_too_small,  ///< the span is shorter than the region
  not_a_slot_leaf,        ///< (by leaf id) the leaf is not a passthrough leaf of the space
  not_a_handler_leaf,     ///< (by leaf id) the leaf is not an io or register-block leaf
  no_slot,                ///< (slot handles) the handle is empty: it holds no slot
};

namespace detail {

[[nodiscard]] constexpr std::uint64_t byteswap_n(std::uint64_t v, unsigned size) noexcept {
  std::uint64_t r = 0;
  for (unsigned i = 0; i < size; ++i) r |= ((v >> (8 * i)) & 0xFF) << (8 * (size - 1 - i));
  return r;
}

/// A leaf's runtime binding: a context pointer and two thunks.
struct binding {
  using read_fn = read_result (*)(void* ctx, addr_t offset, unsigned size);
  using write_fn = access_status (*)(void* ctx, addr_t offset, unsigned size, std::uint64_t v);
  void* ctx = nullptr;
  read_fn read = nullptr;
  write_fn write = nullptr;
  bool bound = false;  ///< false: an unbound passthrough/io leaf (stubs and holes are "bound")
};

/// What a snapshot needs of a bound stateful handler, type-erased.
struct state_ops {
  std::size_t (*size)(const void*) = nullptr;
  void (*save)(const void*, std::span<std::byte>) = nullptr;
  bool (*validate)(const void*, std::span<const std::byte>) = nullptr;
  void (*restore)(void*, std::span<const std::byte>) = nullptr;
};

// The thunks of unbound leaves, stubs and holes. Their `ctx` points to the leaf's error value
// (a constant in read-only data), so one instantiation serves every leaf and the initial
// bindings of a tree are a table computed at compile time, not code per node.
inline read_result unbound_read(void* ctx, addr_t, unsigned size) {
  return {*static_cast<const std::uint64_t*>(ctx) & width_mask(size), access_status::unbound};
}
inline access_status unbound_write(void*, addr_t, unsigned, std::uint64_t) {
  return access_status::unbound;
}

template <stub_response R>
read_result stub_read(void* ctx, addr_t, unsigned size) {
  if constexpr (R == stub_response::read_as_zero) return {0, access_status::ok};
  if constexpr (R == stub_response::read_as_ones) return {width_mask(size), access_status::ok};
  return {*static_cast<const std::uint64_t*>(ctx) & width_mask(size), access_status::decode_error};
}
template <stub_response R>
access_status stub_write(void*, addr_t, unsigned, std::uint64_t) {
  return R == stub_response::decode_error ? access_status::decode_error : access_status::ok;
}

/// The binding a leaf starts with: a stub wired to its answer, a passthrough/io/regs leaf to
/// `unbound`; `error_read` is where its error value lives.
constexpr binding initial_binding(bool is_stub, stub_response response,
                                  const std::uint64_t* error_read) {
  void* const ctx = const_cast<std::uint64_t*>(error_read);  // read only, by the thunks above
  if (!is_stub) return {ctx, &unbound_read, &unbound_write, false};
  switch (response) {
    case stub_response::read_as_zero:
      return {ctx, &stub_read<stub_response::read_as_zero>,
              &stub_write<stub_response::read_as_zero>, true};
    case stub_response::read_as_ones:
      return {ctx, &stub_read<stub_response::read_as_ones>,
              &stub_write<stub_response::read_as_ones>, true};
    case stub_response::decode_error: break;
  }
  return {ctx, &stub_read<stub_response::decode_error>, &stub_write<stub_response::decode_error>,
          true};
}

inline read_result passthrough_read(void* ctx, addr_t offset, unsigned size) {
  return {host_load(static_cast<const std::byte*>(ctx) + offset, size), access_status::ok};
}
inline access_status passthrough_write(void* ctx, addr_t offset, unsigned size, std::uint64_t v) {
  host_store(static_cast<std::byte*>(ctx) + offset, size, v);
  return access_status::ok;
}

template <class H, endian Order>
read_result io_read(void* ctx, addr_t offset, unsigned size) {
  const std::uint64_t v =
      static_cast<std::uint64_t>(static_cast<H*>(ctx)->read(offset, size)) & width_mask(size);
  return {Order == endian::big ? byteswap_n(v, size) : v, access_status::ok};
}
template <class H, endian Order>
access_status io_write(void* ctx, addr_t offset, unsigned size, std::uint64_t v) {
  v &= width_mask(size);
  static_cast<H*>(ctx)->write(offset, size, Order == endian::big ? byteswap_n(v, size) : v);
  return access_status::ok;
}

/// The handler objects of `reentry::refuse` regions whose handlers are running on this thread,
/// innermost last. Only the guarded thunks below touch it: a region that allows re-entry (the
/// default) never reads it.
struct engaged_handlers {
  static constexpr unsigned capacity = 16;
  const void* ctx[capacity];
  unsigned depth = 0;
};
inline thread_local engaged_handlers engaged;

/// Marks `ctx` as running on this thread for its lifetime, unless it already is (or the nesting
/// is deeper than `capacity`): then `entered()` is false and nothing was marked.
class reentry_guard {
 public:
  explicit reentry_guard(const void* ctx) noexcept : e_(engaged) {
    for (unsigned i = 0; i < e_.depth; ++i)
      if (e_.ctx[i] == ctx) return;
    if (e_.depth == engaged_handlers::capacity) return;
    e_.ctx[e_.depth++] = ctx;
    entered_ = true;
  }
  ~reentry_guard() {
    if (entered_) --e_.depth;
  }
  reentry_guard(const reentry_guard&) = delete;
  reentry_guard& operator=(const reentry_guard&) = delete;
  [[nodiscard]] bool entered() const noexcept { return entered_; }

 private:
  engaged_handlers& e_;
  bool entered_ = false;
};

/// The thunks of a `reentry::refuse` region: the handler runs unless its object is already
/// running on this thread; a refused read yields the region's error value `ErrorRead`.
template <class H, endian Order, std::uint64_t ErrorRead>
read_result guarded_io_read(void* ctx, addr_t offset, unsigned size) {
  const reentry_guard g(ctx);
  if (!g.entered()) return {ErrorRead & width_mask(size), access_status::reentered};
  return io_read<H, Order>(ctx, offset, size);
}
template <class H, endian Order>
access_status guarded_io_write(void* ctx, addr_t offset, unsigned size, std::uint64_t v) {
  const reentry_guard g(ctx);
  if (!g.entered()) return access_status::reentered;
  return io_write<H, Order>(ctx, offset, size, v);
}

/// The binding of handler `h` to a leaf whose policy is `P` (its byte order and re-entry rule).
template <access_policy P, class H>
binding handler_binding(H& h) noexcept {
  void* const ctx = static_cast<void*>(&h);
  if constexpr (P.on_reentry == reentry::refuse)
    return {ctx, &guarded_io_read<H, P.order, P.error_read>, &guarded_io_write<H, P.order>, true};
  else
    return {ctx, &io_read<H, P.order>, &io_write<H, P.order>, true};
}

/// The snapshot operations of handler type H (empty unless it is a `stateful_handler`).
template <class H>
constexpr state_ops state_ops_of() noexcept {
  if constexpr (stateful_handler<H>) {
    return {
        [](const void* h) -> std::size_t { return static_cast<const H*>(h)->snapshot_size(); },
        [](const void* h, std::span<std::byte> out) { static_cast<const H*>(h)->save_state(out); },
        [](const void* h, std::span<const std::byte> in) -> bool {
          return static_cast<const H*>(h)->validate_state(in);
        },
        [](void* h, std::span<const std::byte> in) { static_cast<H*>(h)->restore_state(in); }};
  } else {
    return {};
  }
}

}  // namespace detail

MMIOTREE_END_NAMESPACE
