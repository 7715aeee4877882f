// tests/property/model.hpp: a region tree as the tests describe it — plain data, nothing from
// the library.
//
// A test writes (or generates) a `model::region` array; from it the test builds what the
// library takes (a typed tree, typed.hpp; or a descriptor array, lower.hpp), and the oracle
// (oracle.hpp) reads the same description. The library's own lowering, tables and flat view
// never reach the oracle, so a mistake in them cannot hide itself by being copied into the
// expectation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace model {

using addr = std::uint64_t;
inline constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

enum class kind : std::uint8_t { container, passthrough, io, regs, stub, alias };

/// What a stub answers.
enum class answer : std::uint8_t { zeros, ones, decode_error };

/// How accesses reach a leaf (docs/access.md): `sizes` has bit k set when 2^k-byte accesses
/// are valid; `impl_min`/`impl_max` are what the handler implements; `align` is the
/// alignment the placement must have in the root.
struct policy {
  std::uint8_t sizes = 0x0F;
  unsigned impl_min = 1;
  unsigned impl_max = 8;
  bool unaligned = true;
  addr align = 1;
  bool big_endian = false;
  bool reject_straddle = false;
  std::uint64_t error_read = ~std::uint64_t{0};
  constexpr bool operator==(const policy&) const = default;
};

/// One region. `parent` is the index of the parent in the same array (`none` for the root);
/// an alias names its target by path from the root (the root's own name excluded), as a user
/// writes it. A slot (`slot`) has no static offset: its placement is decided at run time.
struct region {
  std::string_view name{};
  model::kind kind = model::kind::container;
  addr size = 0;
  addr offset = 0;
  std::int32_t priority = 0;
  std::size_t parent = none;
  model::policy policy{};
  answer response = answer::decode_error;  ///< for stubs
  std::string_view target{};               ///< for aliases
  addr target_offset = 0;                  ///< for aliases
  bool keep_separate = false;              ///< for passthrough leaves
  bool slot = false;
  addr slot_align = 0;     ///< for slots: 0 means the size rounded up to a power of two
  bool tie_reject = true;  ///< for slots: tie_policy::reject, else declaration_order
  /// `unmapped<R>`: its parent does not show it (offset 0, no bound on its size); only aliases
  /// that target it or a region inside it do.
  bool unmapped = false;
};

[[nodiscard]] constexpr bool is_leaf(kind k) { return k != kind::container && k != kind::alias; }

/// Shorthands for descriptions written by hand: each gives the fields that matter for its kind,
/// in the order a reader expects (name, size, offset, priority, parent).
namespace build {
constexpr region leaf(kind k, std::string_view name, addr size, addr offset, std::int32_t priority,
                      std::size_t parent, policy p = {}) {
  region r;
  r.name = name;
  r.kind = k;
  r.size = size;
  r.offset = offset;
  r.priority = priority;
  r.parent = parent;
  r.policy = p;
  return r;
}
constexpr region container(std::string_view name, addr size, addr offset = 0,
                           std::int32_t priority = 0, std::size_t parent = none) {
  return leaf(kind::container, name, size, offset, priority, parent);
}
constexpr region stub(std::string_view name, addr size, addr offset, std::int32_t priority,
                      std::size_t parent, answer a, policy p = {}) {
  region r = leaf(kind::stub, name, size, offset, priority, parent, p);
  r.response = a;
  return r;
}
constexpr region alias(std::string_view name, addr size, addr offset, std::int32_t priority,
                       std::size_t parent, std::string_view target, addr target_offset = 0) {
  region r = leaf(kind::alias, name, size, offset, priority, parent);
  r.target = target;
  r.target_offset = target_offset;
  return r;
}
/// Region `r` placed with `unmapped<R>` in its parent: mapped nowhere, seen through aliases.
constexpr region unmapped(region r) {
  r.unmapped = true;
  r.offset = 0;
  return r;
}
/// A passthrough leaf whose occurrences stay separate flat ranges (merge_policy::keep_separate).
constexpr region separate(std::string_view name, addr size, addr offset, std::int32_t priority,
                          std::size_t parent) {
  region r = leaf(kind::passthrough, name, size, offset, priority, parent);
  r.keep_separate = true;
  return r;
}
/// CXL.cachemem-like: exactly `n`-byte aligned accesses, no straddling, placed n-aligned.
constexpr policy exactly(unsigned n) {
  policy p;
  p.sizes = static_cast<std::uint8_t>(n == 1 ? 1 : n == 2 ? 2 : n == 4 ? 4 : 8);
  p.impl_min = p.impl_max = n;
  p.unaligned = false;
  p.align = n;
  p.reject_straddle = true;
  return p;
}
}  // namespace build

}  // namespace model
