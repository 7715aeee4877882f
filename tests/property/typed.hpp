// tests/property/typed.hpp: a typed tree generated from a test's description.
//
//   constexpr std::array<model::region, 3> bar_desc{{{.name = "bar", .size = 0x1000}, …}};
//   using bar = typed::tree_t<bar_desc>;
//
// The description is the test's plain data (model.hpp); the oracle reads it, the library gets
// the type generated from it here, so the two start from one statement of the tree and share
// nothing after that. Regions must be listed in pre-order (every child after its parent).
#pragma once

#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/tree/region.hpp>

#include <array>
#include <cstddef>
#include <utility>

#include "lower.hpp"
#include "model.hpp"

namespace typed {

template <const auto& D, std::size_t I>
inline constexpr auto name_v = mmiotree::fixed_string<D[I].name.size()>(D[I].name);

template <const auto& D, std::size_t I>
inline constexpr auto target_v = mmiotree::fixed_string<D[I].target.size()>(D[I].target);

/// The path of region I from the root (the root's own name excluded), as a template argument.
template <const auto& D, std::size_t I>
inline constexpr auto path_v = [] {
  constexpr std::size_t n = [] {
    std::size_t len = 0, parts = 0;
    for (std::size_t x = I; D[x].parent != model::none; x = D[x].parent, ++parts)
      len += D[x].name.size();
    return parts == 0 ? 0 : len + parts - 1;
  }();
  mmiotree::fixed_string<n> s;
  std::size_t end = n;  // filled from the back: the region's own name last
  for (std::size_t x = I; D[x].parent != model::none; x = D[x].parent) {
    const std::string_view name = D[x].name;
    if (end != n) s.value[--end] = '/';
    end -= name.size();
    for (std::size_t k = 0; k < name.size(); ++k) s.value[end + k] = name[k];
  }
  return s;
}();

/// Indices of the children of region I, in declaration order.
template <const auto& D, std::size_t I>
inline constexpr auto children_v = [] {
  constexpr std::size_t n = [] {
    std::size_t c = 0;
    for (const model::region& r : D) c += r.parent == I ? 1 : 0;
    return c;
  }();
  std::array<std::size_t, n> a{};
  std::size_t k = 0;
  for (std::size_t i = 0; i < D.size(); ++i)
    if (D[i].parent == I) a[k++] = i;
  return a;
}();

template <const auto& D, std::size_t I, class Seq = void>
struct region;

/// How region I is placed in its parent: `at<…>`, or `slot<…>` for a slot.
template <const auto& D, std::size_t I>
struct placed {
  using type = typename region<D, I>::type;
  using at = std::conditional_t<
      D[I].slot,
      mmiotree::slot<type, D[I].priority, lower::slot_align(D[I]), lower::tie(D[I].tie_reject)>,
      std::conditional_t<D[I].unmapped, mmiotree::unmapped<type>,
                         mmiotree::at<D[I].offset, type, D[I].priority>>>;
};

template <const auto& D, std::size_t I>
struct region<D, I, void> : region<D, I, std::make_index_sequence<children_v<D, I>.size()>> {};

template <const auto& D, std::size_t I, std::size_t... K>
struct region<D, I, std::index_sequence<K...>> {
  static constexpr model::region r = D[I];
  static constexpr mmiotree::access_policy pol = lower::policy(r.policy);
  static auto pick() {
    using namespace mmiotree;
    if constexpr (r.kind == model::kind::container)
      return std::type_identity<
          container<name_v<D, I>, r.size, typename placed<D, children_v<D, I>[K]>::at...>>{};
    else if constexpr (r.kind == model::kind::passthrough)
      return std::type_identity<
          passthrough<name_v<D, I>, r.size, pol,
                      r.keep_separate ? merge_policy::keep_separate : merge_policy::merge>>{};
    else if constexpr (r.kind == model::kind::io)
      return std::type_identity<io<name_v<D, I>, r.size, pol>>{};
    else if constexpr (r.kind == model::kind::stub)
      return std::type_identity<stub<name_v<D, I>, r.size, lower::response(r.response), pol>>{};
    else
      return std::type_identity<alias<name_v<D, I>, r.size, target_v<D, I>, r.target_offset>>{};
  }
  using type = typename decltype(pick())::type;
};

/// The typed tree of description D (its root is D[0]).
template <const auto& D>
using tree_t = typename region<D, 0>::type;

}  // namespace typed
