// bench/gen_tree.hpp: typed region trees of N io leaves, generated at compile time.
//
// A tree is two levels deep, as a machine's map is: the root holds G = ceil(N / 64) groups
// ("g0", "g1", ...; think devices), each holding up to 64 io leaves ("r0", "r1", ...; think
// register windows), so that the typed path of a leaf, "g3/r200", is found by scanning at
// most 64 + 64 sibling names when a handler is bound.
//
// Two shapes:
//   - uniform: every leaf is 4 KiB, packed; every boundary is a multiple of 4 KiB, so the
//     dispatcher's bucket table is exact (one tile per bucket, no scan);
//   - mixed:   leaf sizes drawn from 64 B .. 64 KiB by a fixed pattern, each leaf naturally
//     aligned after the previous one (alignment leaves holes); the bucket table is then the
//     non-exact kind, where a bucket may hold several tiles that a lookup has to scan.
//
// Names are built at compile time from the index (`indexed_name<'r', 200>` is "r200") and the
// leaves are expanded from `std::make_index_sequence`, so a tree of 4,096 leaves is one line.
#pragma once

#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/region.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace bench {

using mmiotree::addr_t;

inline constexpr std::size_t group_capacity = 64;

constexpr std::size_t decimal_digits(std::size_t v) {
  std::size_t d = 1;
  for (; v >= 10; v /= 10) ++d;
  return d;
}

/// `prefix` followed by the decimal digits of `i`, in a fixed_string of exactly that length.
template <std::size_t Len>
constexpr mmiotree::fixed_string<Len> make_indexed_name(char prefix, std::size_t i) {
  mmiotree::fixed_string<Len> f{};
  f.value[0] = prefix;
  for (std::size_t k = Len - 1; k > 0; --k, i /= 10) f.value[k] = static_cast<char>('0' + i % 10);
  return f;
}

/// indexed_name<'r', 42> is "r42". (Built by a function templated on the length only, so
/// that 4,096 names instantiate a handful of functions, not 4,096 lambdas.)
template <char Prefix, std::size_t I>
inline constexpr auto indexed_name = make_indexed_name<1 + decimal_digits(I)>(Prefix, I);

/// "g<G>/r<I>": the typed path of leaf I in group G.
template <std::size_t G, std::size_t I>
inline constexpr auto leaf_path = [] {
  constexpr auto& g = indexed_name<'g', G>;
  constexpr auto& r = indexed_name<'r', I>;
  mmiotree::fixed_string<g.size() + 1 + r.size()> f{};
  std::copy_n(g.value, g.size(), f.value);
  f.value[g.size()] = '/';
  std::copy_n(r.value, r.size(), f.value + g.size() + 1);
  return f;
}();

enum class shape { uniform, mixed };

/// Size of leaf `i` of a shape.
constexpr addr_t leaf_size(shape s, std::size_t i) {
  if (s == shape::uniform) return 4096;
  // 64 B .. 64 KiB (2^6 .. 2^16), small sizes more frequent, from a fixed hash of i.
  constexpr std::array<unsigned, 16> log2s{6, 8, 12, 10, 6, 12, 16, 8, 12, 7, 14, 12, 9, 6, 12, 11};
  std::uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ULL;
  h ^= h >> 29;
  return addr_t{1} << log2s[h & 15];
}

/// Offsets of the leaves inside their groups, and the group size (every group gets the size
/// of the largest, rounded up to a power of two, so groups are aligned to their size).
template <shape S, std::size_t N>
struct plan {
  std::array<addr_t, N> offset{};
  addr_t group_size = 0;
  std::size_t groups = 0;
};

template <shape S, std::size_t N>
inline constexpr plan<S, N> plan_v = [] {
  plan<S, N> p{};
  addr_t end = 0, largest = 0;
  for (std::size_t i = 0; i < N; ++i) {
    if (i % group_capacity == 0) end = 0;
    const addr_t sz = leaf_size(S, i);
    const addr_t at = (end + sz - 1) / sz * sz;  // naturally aligned
    p.offset[i] = at;
    end = at + sz;
    largest = std::max(largest, end);
  }
  p.group_size = std::bit_ceil(largest);
  p.groups = (N + group_capacity - 1) / group_capacity;
  return p;
}();

template <shape S, std::size_t N, std::size_t G, class Seq>
struct group_type;
template <shape S, std::size_t N, std::size_t G, std::size_t... K>
struct group_type<S, N, G, std::index_sequence<K...>> {
  using type =
      mmiotree::container<indexed_name<'g', G>, plan_v<S, N>.group_size,
                          mmiotree::at<plan_v<S, N>.offset[G * group_capacity + K],
                                       mmiotree::io<indexed_name<'r', G * group_capacity + K>,
                                                    leaf_size(S, G* group_capacity + K)>>...>;
};

template <shape S, std::size_t N, std::size_t G>
using group_t = typename group_type<
    S, N, G, std::make_index_sequence<std::min(group_capacity, N - G * group_capacity)>>::type;

template <shape S, std::size_t N, class Seq>
struct tree_type;
template <shape S, std::size_t N, std::size_t... G>
struct tree_type<S, N, std::index_sequence<G...>> {
  using type = mmiotree::container<"bus", std::bit_ceil(sizeof...(G) * plan_v<S, N>.group_size),
                                   mmiotree::at<G * plan_v<S, N>.group_size, group_t<S, N, G>>...>;
};

/// The typed tree of N io leaves in shape S.
///
/// A struct deriving from the root container, not an alias of it: every per-tree symbol
/// (nodes_v<Tree>, lookup_v<Tree>, address_space<Tree>::read, each bind<Path>) is then mangled
/// as `tree_t<shape::uniform, 1024>` instead of the whole tree written out, which g++ 12 takes
/// time quadratic in the tree's size to do (docs/benchmarks.md, "Compile time").
template <shape S, std::size_t N>
struct tree_t : tree_type<S, N, std::make_index_sequence<plan_v<S, N>.groups>>::type {};

/// Root-relative base of leaf i.
template <shape S, std::size_t N>
constexpr addr_t leaf_base(std::size_t i) {
  return (i / group_capacity) * plan_v<S, N>.group_size + plan_v<S, N>.offset[i];
}

}  // namespace bench
