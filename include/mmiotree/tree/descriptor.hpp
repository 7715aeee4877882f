// tree/descriptor.hpp: a region tree as a value — a pre-order array of `node` descriptors.
//
// Everything the layout layer computes (checks, flat view, projection) works on this array
// with constexpr algorithms, so the same functions run at compile time on typed trees and at
// run time on generated trees (the property tests do that).
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/hash.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/tree/region.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <utility>

MMIOTREE_BEGIN_NAMESPACE

/// Index of a node in a descriptor array; `npos` for "none".
using node_index = std::uint32_t;
inline constexpr node_index npos = std::numeric_limits<node_index>::max();

/// One region of a tree as a structural value. Nodes are stored in pre-order, so the subtree
/// of node `i` is exactly `[i, end)`; its first child (if any) is `i + 1` and each child's
/// next sibling starts at that child's `end`.
struct node {
  std::string_view name;
  region_kind kind = region_kind::container;
  addr_t size = 0;
  addr_t offset = 0;          ///< offset in the parent (0 for the root)
  std::int32_t priority = 0;  ///< among siblings; higher wins
  node_index parent = npos;
  node_index end = 0;  ///< one past the last node of this subtree
  std::uint32_t depth = 0;
  access_policy access{};
  stub_response response = stub_response::decode_error;  ///< for stubs
  std::string_view alias_path;          ///< for aliases, the target's path (tree/region.hpp)
  addr_t alias_offset = 0;              ///< for aliases, the window's start inside the target
  node_index alias_target = npos;       ///< resolved from `alias_path` (npos if not found)
  node_index leaf = npos;               ///< index among leaves for leaf kinds, else npos
  const void* type_id = nullptr;        ///< identity of the region type (`&type_tag<R>`)
  bool dynamic = false;                 ///< a slot: placed at run time in its parent (its window)
  addr_t slot_align = 0;                ///< for slots, the alignment every placement must have
  tie_policy tie = tie_policy::reject;  ///< for slots
  /// A hash of what the region type declares beyond the node (a register block's registers
  /// and fields), so that a snapshot's layout fingerprint covers it; 0 for other kinds.
  std::uint64_t layout_hash = 0;
  /// For passthrough leaves declared with merge_policy::keep_separate.
  bool keep_separate = false;
  /// Placed with `unmapped<R>`: its parent does not show it; only aliases do. Its offset is 0,
  /// and its subtree's absolute offsets count from it.
  bool unmapped = false;
};

namespace detail {
/// One object per register-block type; its address identifies the type in constant
/// expressions (binding a register file checks it names the block declared at the path).
template <class T>
inline constexpr char type_tag = 0;
}  // namespace detail

// How a typed tree becomes its descriptor array, and why it is built this way.
//
// g++ 12 computes the mangled name of every specialisation with vague linkage as it
// instantiates it (the name keys its COMDAT group): every inline variable template and every
// function template, even a constexpr variable that is never emitted or a consteval function.
// The mangled name of anything keyed on a whole tree spells out every region of it (~140 KB at
// 1,024 leaves), and g++'s substitution search makes each such name cost time quadratic in the
// tree's size: about a billion instructions (0.3 s) per symbol at 1,024 leaves, seconds at
// 4,096. A `constexpr` variable template that is not `inline` has internal linkage, no COMDAT
// group, and is mangled only if it is emitted; class template specialisations, aliases and
// enumerators cost nothing of the kind either. So:
//   - the root's array is `detail::tree_nodes_v<Tree, std::index_sequence<0..K-1>>`, and each
//     placed child's array `placed_v<at<…>>` (keyed on the placement only), both internal
//     constants, joined by a function templated on sizes only (`join`);
//   - children are reached by index through `child_t` (a class lookup, no function);
//   - the common leaves (`io`, `passthrough`) are read from their template arguments by a
//     partial specialisation, so no function is instantiated and no static member of the
//     region class is asked for per leaf; other leaves go through `leaf_node<R>`;
//   - only register blocks carry a type tag.
// Everything computed at compile time (verify, the flat view, the lookup table, projections)
// reads `tree_nodes_v`. The public `nodes_v<Tree>`, an inline copy for code that reads the
// descriptors at run time (printers, the dispatcher's slow paths), is only instantiated by
// such code. In a TU that checks and flattens a tree, the only symbols keyed on it are the
// tables that are emitted: `flat_view_v` and `lookup_v`. (Declaring a large root as
// `struct my_tree : container<…> {};` rather than `using my_tree = container<…>;` makes those
// and every other per-tree symbol short: docs/benchmarks.md, "Compile time".)
//
// The internal constants are used only in constant evaluation (initializers of constants,
// template arguments, static assertions), where every TU computes the same value, and never
// read at run time: nothing that is emitted refers to them. (To the letter of
// [basic.def.odr], an inline variable whose constant initializer binds a reference to one of
// them, such as `flat_view_v`, refers to a different object in each TU; its value cannot
// differ, and no compiler can observe the difference.)

namespace detail {
template <class R>
struct placed_children {
  using type = void;  // a leaf
};
template <class R>
requires requires { typename R::placed; }
struct placed_children<R> {
  using type = typename R::placed;
};

/// The index sequence of a container's children; `void` for a leaf.
template <class Placed>
struct child_indices {
  using type = void;
};
template <class... Ch>
struct child_indices<type_list<Ch...>> {
  using type = std::make_index_sequence<sizeof...(Ch)>;
};

/// Child I of a `type_list`, found by overload resolution against one base per element, in
/// unevaluated context only (no function is instantiated; no recursion over the list).
template <std::size_t I, class T>
struct indexed {
  using type = T;
};
template <class Seq, class... T>
struct index_table;
template <std::size_t... I, class... T>
struct index_table<std::index_sequence<I...>, T...> : indexed<I, T>... {};
template <std::size_t I, class T>
indexed<I, T> select_indexed(const indexed<I, T>&);

template <class Placed, std::size_t I>
struct nth_child;
template <class... Ch, std::size_t I>
struct nth_child<type_list<Ch...>, I> {
  using type = typename decltype(select_indexed<I>(
      std::declval<index_table<std::make_index_sequence<sizeof...(Ch)>, Ch...>>()))::type;
};

/// The placement (`at<…>` or `slot<…>`) of child I of container R.
template <class R, std::size_t I>
using child_t = typename nth_child<typename R::placed, I>::type;

/// Where a child sits in its parent: what `at<…>` / `slot<…>` declare.
struct place {
  addr_t offset = 0;
  std::int32_t priority = 0;
  bool dynamic = false;
  addr_t slot_align = 0;
  tie_policy tie = tie_policy::reject;
  bool unmapped = false;
};

template <class Child>
constexpr place place_of() {
  if constexpr (requires { Child::dynamic; })
    return {0, Child::priority, true, Child::align, Child::tie};
  else if constexpr (requires { Child::mapped_nowhere; })
    return {0, 0, false, 0, tie_policy::reject, true};
  else
    return {Child::offset, Child::priority};
}

/// A node placed by `p`, as the root of its own tree (parent and depth filled in by `join`).
constexpr node make_node(region_kind kind, std::string_view name, addr_t size,
                         const access_policy& policy, const place& p,
                         merge_policy merge = merge_policy::merge) {
  node n;
  n.keep_separate = merge == merge_policy::keep_separate;
  n.name = name;
  n.kind = kind;
  n.size = size;
  n.access = policy;
  n.offset = p.offset;
  n.priority = p.priority;
  n.dynamic = p.dynamic;
  n.slot_align = p.slot_align;
  n.tie = p.tie;
  n.unmapped = p.unmapped;
  n.end = 1;
  if (is_leaf(kind)) n.leaf = 0;
  return n;
}

/// The node of any leaf or alias type R placed by `p`.
template <region R>
constexpr node leaf_node(const place& p) {
  node n = make_node(R::kind, R::name.view(), R::size, R::policy, p);
  if constexpr (R::kind == region_kind::regs) n.type_id = &type_tag<R>;
  if constexpr (requires { R::layout_hash(); }) n.layout_hash = R::layout_hash();
  if constexpr (requires { R::merge; }) n.keep_separate = R::merge == merge_policy::keep_separate;
  if constexpr (R::kind == region_kind::stub) n.response = R::response;
  if constexpr (R::kind == region_kind::alias) {
    n.alias_path = R::target_path.view();
    n.alias_offset = R::target_offset;
  }
  return n;
}

/// The node reached by `path` from `from`, or npos. A path is '/'-separated names; it may start
/// with "." and ".." segments, each "." staying where it is and each ".." going up to the
/// parent ("../dev/regs", "./regs", "../.."). Only leading segments are read that way: after
/// the first name, every segment is a name.
constexpr node_index find_path(std::span<const node> nodes, std::string_view path,
                               node_index from = 0) {
  node_index cur = from;
  bool leading = true;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view head = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    if (leading && head == ".") continue;
    if (leading && head == "..") {
      cur = nodes[cur].parent;
      if (cur == npos) return npos;
      continue;
    }
    leading = false;
    node_index found = npos;
    for (node_index c = cur + 1; c < nodes[cur].end; c = nodes[c].end) {
      if (nodes[c].name == head) {
        found = c;
        break;
      }
    }
    if (found == npos) return npos;
    cur = found;
  }
  return cur;
}

/// Whether an alias's target path is relative: its first segment is "." or "..".
constexpr bool is_relative_path(std::string_view path) {
  const std::string_view head = path.substr(0, path.find('/'));
  return head == "." || head == "..";
}

/// The target of alias `a`: a relative path ("./regs", "../bar0") from the alias's container,
/// any other path from the root; npos if no region has it.
constexpr node_index resolve_alias(std::span<const node> nodes, node_index a) {
  const std::string_view path = nodes[a].alias_path;
  if (!is_relative_path(path)) return find_path(nodes, path);
  return nodes[a].parent == npos ? npos : find_path(nodes, path, nodes[a].parent);
}

/// Resolves alias targets and numbers the leaves, in place.
constexpr std::uint32_t link(std::span<node> nodes) {
  node* const nd = nodes.data();
  const std::size_t count = nodes.size();
  std::uint32_t leaves = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (nd[i].kind == region_kind::alias)
      nd[i].alias_target = resolve_alias(nodes, static_cast<node_index>(i));
    if (is_leaf(nd[i].kind)) nd[i].leaf = leaves++;
  }
  return leaves;
}

/// Number of leaf nodes in `nodes`.
constexpr std::size_t count_leaves(std::span<const node> nodes) {
  const node* const nd = nodes.data();
  const std::size_t count = nodes.size();
  std::size_t n = 0;
  for (std::size_t i = 0; i < count; ++i)
    n += nd[i].kind != region_kind::container && nd[i].kind != region_kind::alias ? 1 : 0;
  return n;
}

/// Writes each node's offset from the root (its parent's plus its own) to `out[0..n)`. Inside a
/// slot that is its static position (the slot at offset 0 of its window); an unmapped region
/// is at 0, and its subtree counts from it.
constexpr void absolute_offsets(std::span<const node> nodes, addr_t* out) {
  const node* const nd = nodes.data();
  const std::size_t count = nodes.size();
  if (count != 0) out[0] = 0;
  for (std::size_t i = 1; i < count; ++i)
    out[i] = nd[i].unmapped ? 0 : out[nd[i].parent] + nd[i].offset;
}

/// Whether node `w` is a slot window: a container with a slot among its children.
constexpr bool is_window(std::span<const node> nodes, node_index w) {
  const node* const nd = nodes.data();
  if (nd[w].kind != region_kind::container) return false;
  for (node_index c = w + 1; c < nd[w].end; c = nd[c].end)
    if (nd[c].dynamic) return true;
  return false;
}

/// A container's array: its own node, then each placed child's array (pre-order), re-indexed
/// and linked as a tree of its own (alias paths resolve from this container). Templated on
/// sizes only, so trees of the same shape share its instantiations.
///
/// One loop with plain pointers: g++ 12 spends ~15,000 instructions on each operation it
/// evaluates in a constant expression, and more on each call (a `span` or `array`
/// `operator[]`, an iterator step, a lambda), so the constexpr algorithms here and in layout/
/// are written as few passes over raw pointers.
template <std::size_t... N>
constexpr std::array<node, 1 + (std::size_t{0} + ... + N)> join(
    const node& self, const std::array<node, N>&... subtrees) {
  std::array<node, 1 + (std::size_t{0} + ... + N)> out{};
  node* const o = out.data();
  o[0] = self;
  const std::array<const node*, sizeof...(N)> subs{subtrees.data()...};
  const std::array<std::size_t, sizeof...(N)> sizes{N...};
  node_index pos = 1;
  std::uint32_t leaves = 0;
  bool any_alias = false;
  for (std::size_t c = 0; c < sizeof...(N); ++c) {
    const node* const s = subs.data()[c];
    const std::size_t k = sizes.data()[c];
    const node_index base = pos;
    for (std::size_t j = 0; j < k; ++j, ++pos) {
      node& n = o[pos];
      n = s[j];
      n.parent = n.parent == npos ? 0 : n.parent + base;  // a subtree's root: a child
      n.end += base;
      ++n.depth;
      if (n.leaf != npos) n.leaf = leaves++;
      any_alias = any_alias || n.kind == region_kind::alias;
    }
  }
  o[0].end = pos;
  if (any_alias) link(out);
  return out;
}

/// What a placed child's array is made of: `void` for a leaf, its children's indices for a
/// container, `repeated` for a slot array (copies of its element's array).
struct repeated {};
template <class Placement>
struct children_of {
  using type =
      typename child_indices<typename placed_children<typename Placement::type>::type>::type;
};
template <class R, std::size_t N, std::int32_t P, addr_t A, tie_policy T>
struct children_of<slot_array<R, N, P, A, T>> {
  using type = repeated;
};
template <class Placement>
using children_of_placed = typename children_of<Placement>::type;

/// Decimal digits of `v`.
constexpr std::size_t decimal_digits(std::size_t v) {
  std::size_t d = 1;
  for (; v >= 10; v /= 10) ++d;
  return d;
}
/// The digits of 0, 1, ..., k - 1 together, without a loop over k.
constexpr std::size_t digits_below(std::size_t k) {
  std::size_t total = 0;
  std::size_t lo = 0, hi = 10;  // numbers of d digits: [lo, hi)
  for (std::size_t d = 1; lo < k; ++d, lo = hi, hi *= 10) total += d * ((k < hi ? k : hi) - lo);
  return total;
}

/// The names of a slot array's elements, `Name[0]` to `Name[Count - 1]`, back to back; element
/// k's name starts at `start(k)`. Keyed on the name and count only.
template <fixed_string Name, std::size_t Count>
struct element_names {
  static constexpr std::size_t length(std::size_t k) { return Name.size() + 2 + decimal_digits(k); }
  static constexpr std::size_t start(std::size_t k) {
    return k * (Name.size() + 2) + digits_below(k);
  }
  static constexpr auto chars = [] {
    std::array<char, start(Count)> a{};
    char* o = a.data();
    for (std::size_t k = 0; k < Count; ++k) {
      for (std::size_t i = 0; i < Name.size(); ++i) *o++ = Name.value[i];
      *o++ = '[';
      const std::size_t d = decimal_digits(k);
      std::size_t v = k;
      for (std::size_t i = d; i-- > 0; v /= 10) o[i] = static_cast<char>('0' + v % 10);
      o += d;
      *o++ = ']';
    }
    return a;
  }();
  static constexpr std::string_view name(std::size_t k) {
    return {chars.data() + start(k), length(k)};
  }
};

/// `Count` copies of a slot's array `one` side by side (each its own subtree, its root
/// without a parent), the copies' roots named by `Names`. Templated on sizes and names only.
template <class Names, std::size_t Count, std::size_t K>
constexpr std::array<node, Count * K> repeat(const std::array<node, K>& one) {
  std::array<node, Count * K> out{};
  node* o = out.data();
  const node* const s = one.data();
  for (std::size_t m = 0; m < Count; ++m) {
    const auto base = static_cast<node_index>(m * K);
    for (std::size_t j = 0; j < K; ++j, ++o) {
      *o = s[j];
      if (j == 0)
        o->name = Names::name(m);
      else
        o->parent += base;
      o->end += base;
    }
  }
  return out;
}

/// The array of a placed child (`at<…>` or `slot<…>`): a leaf's one node, or a container's
/// array, with the placement in its root node.
template <class Placement, class Children = children_of_placed<Placement>>
constexpr std::array<node, 1> placed_v = {
    leaf_node<typename Placement::type>(place_of<Placement>())};

// The common leaves read straight from the template arguments: the region class itself is
// not asked for its members (each a variable to instantiate), and no function is instantiated
// per leaf.
template <addr_t O, fixed_string N, addr_t S, access_policy A, std::int32_t P, class C>
constexpr std::array<node, 1> placed_v<at<O, io<N, S, A>, P>, C> = {
    make_node(region_kind::io, N.view(), S, A, {O, P})};

template <addr_t O, fixed_string N, addr_t S, access_policy A, merge_policy M, std::int32_t P,
          class C>
constexpr std::array<node, 1> placed_v<at<O, passthrough<N, S, A, M>, P>, C> = {
    make_node(region_kind::passthrough, N.view(), S, A, {O, P}, M)};

template <class R, std::size_t N, std::int32_t P, addr_t A, tie_policy T>
constexpr auto placed_v<slot_array<R, N, P, A, T>, repeated> =
    repeat<element_names<R::name, N>, N>(placed_v<slot<R, P, A, T>>);

template <class Placement, std::size_t... I>
constexpr auto placed_v<Placement, std::index_sequence<I...>> =
    join(make_node(region_kind::container, Placement::type::name.view(), Placement::type::size,
                   Placement::type::policy, place_of<Placement>()),
         placed_v<child_t<typename Placement::type, I>>...);
}  // namespace detail

namespace detail {
/// The descriptor array of a typed tree, for constant evaluation (internal linkage: see "How a
/// typed tree becomes its descriptor array" above). The second parameter makes a container's
/// array a partial specialisation reached without a function keyed on the tree.
template <region Tree,
          class Children = typename child_indices<typename placed_children<Tree>::type>::type>
constexpr std::array<node, 1> tree_nodes_v = {leaf_node<Tree>({})};

template <region Tree, std::size_t... I>
constexpr auto tree_nodes_v<Tree, std::index_sequence<I...>> =
    join(make_node(region_kind::container, Tree::name.view(), Tree::size, Tree::policy, {}),
         placed_v<child_t<Tree, I>>...);
}  // namespace detail

/// The descriptor array of a typed tree (pre-order; the root is element 0).
template <region Tree>
inline constexpr auto nodes_v = detail::tree_nodes_v<Tree>;

/// The node `path` names in `nodes` — '/'-separated names from element 0, whose own name is
/// not part of it; "" names element 0 — or `npos`. For a descriptor array at hand (a slot's
/// region, a generated tree); a typed tree's paths are checked at compile time by
/// `node_index_v`.
[[nodiscard]] constexpr node_index find_node(std::span<const node> nodes,
                                             std::string_view path) noexcept {
  return detail::find_path(nodes, path);
}

namespace diag {
template <fixed_string Path>
struct no_region_at_path {
  static_assert(always_false_v<Path>,
                "mmiotree: no region has this path in the tree (paths are '/'-separated names "
                "from the root, the root's own name excluded)");
};
}  // namespace diag

namespace detail {
/// After the diagnostic, the root's index: a valid index, so that the uses that follow compile
/// and the one error stays the only one.
template <region Tree, fixed_string Path>
consteval node_index checked_node_index() {
  constexpr node_index i = find_path(tree_nodes_v<Tree>, Path.view());
  if constexpr (i == npos) {
    (void)&diag::emit<diag::no_region_at_path<Path>>;
    return 0;
  } else {
    return i;
  }
}
}  // namespace detail

/// The index in `nodes_v<Tree>` of the region at `Path` (as for `find_node`): what
/// `flat_range::leaf` and the projection's entries name. A path that names no region is one
/// compile error, `diag::no_region_at_path<Path>`; the uses of the index that follow add none.
template <region Tree, fixed_string Path>
inline constexpr node_index node_index_v = detail::checked_node_index<Tree, Path>();

/// Number of leaves (passthrough, io, regs, stub) of a tree; the size of its runtime state.
/// Not `inline`: a constant with internal linkage is no symbol to name (above), and as a
/// number it is only ever read by value.
template <region Tree>
constexpr std::size_t leaf_count_v = detail::count_leaves(detail::tree_nodes_v<Tree>);

namespace detail {
/// Hashes everything node `n` declares into `f`; its tree links (parent, end) relative to
/// `base`. With `as_root`, the node's name and its placement in its parent (offset, priority,
/// slot parameters) are left out, so a subtree hashes like the same region declared as a tree
/// of its own under any name: how a slot handle checks that a slot has the shape of its region
/// type (a machine names its instances, `named<dev_bar, "bar1">`).
constexpr void hash_node(fnv1a& f, const node& n, node_index base, bool as_root) {
  f.str(as_root ? std::string_view{} : n.name);
  f.u64(static_cast<std::uint64_t>(n.kind));
  f.u64(n.size);
  f.u64(as_root ? 0 : n.offset);
  f.u64(as_root ? 0 : static_cast<std::uint64_t>(static_cast<std::int64_t>(n.priority)));
  f.u64(as_root || n.parent == npos ? npos : n.parent - base);
  f.u64(n.end - base);
  f.u64(n.access.valid | (std::uint64_t{n.access.impl_min} << 8) |
        (std::uint64_t{n.access.impl_max} << 16) | (std::uint64_t{n.access.unaligned} << 24) |
        (static_cast<std::uint64_t>(n.access.order) << 32) |
        (static_cast<std::uint64_t>(n.access.on_straddle) << 40));
  f.u64(n.access.align);
  f.u64(n.access.error_read);
  f.u64(static_cast<std::uint64_t>(n.response));
  f.str(n.alias_path);
  f.u64(n.alias_offset);
  f.u64(!as_root && n.dynamic);
  f.u64(as_root ? 0 : n.slot_align);
  f.u64(as_root ? 0 : static_cast<std::uint64_t>(n.tie));
  f.u64(n.layout_hash);
  f.u64(n.keep_separate);
  if (!as_root && n.unmapped) f.u64(0x756e'6d61'7070'6564);  // only then: older hashes stay
}
}  // namespace detail

/// A hash of the subtree at `root` as a region of its own: what every node of it declares,
/// the root's name and placement in its parent left out. Two subtrees of one shape hash alike.
constexpr std::uint64_t shape_hash(std::span<const node> nodes, node_index root = 0) {
  detail::fnv1a f;
  for (node_index i = root; i < nodes[root].end; ++i)
    detail::hash_node(f, nodes[i], root, i == root);
  return f.h;
}

/// Whether `name` is `base[k]`, the name of element k of a slot array named `base`.
constexpr bool is_element_name(std::string_view name, std::string_view base, std::size_t k) {
  const std::size_t d = detail::decimal_digits(k);
  if (name.size() != base.size() + 2 + d || name.substr(0, base.size()) != base ||
      name[base.size()] != '[' || name.back() != ']')
    return false;
  for (std::size_t i = base.size() + d; i > base.size(); --i, k /= 10)
    if (name[i] != static_cast<char>('0' + k % 10)) return false;
  return true;
}

/// The elements of the slot array whose element 0 is node `first` (a slot named `base[0]`):
/// how many consecutive sibling slots are named `base[0]`, `base[1]`, ...
constexpr std::size_t slot_array_extent(std::span<const node> nodes, node_index first,
                                        std::string_view base) {
  const node_index parent = nodes[first].parent;
  std::size_t n = 0;
  for (node_index c = first;
       c < nodes[parent].end && nodes[c].dynamic && is_element_name(nodes[c].name, base, n);
       c = nodes[c].end)
    ++n;
  return n;
}

/// The full '/'-separated path of node `i` from the root (the root's own name excluded; the
/// root's path is its name). Writes into `out` and returns the length; with `out == nullptr`
/// it only measures.
constexpr std::size_t path_of(std::span<const node> nodes, node_index i, char* out = nullptr) {
  const node_index parent = nodes[i].parent;
  std::size_t len = 0;
  if (parent != npos && parent != 0) {
    len = path_of(nodes, parent, out);
    if (out) out[len] = '/';
    ++len;
  }
  const std::string_view name = nodes[i].name;
  if (out)
    for (std::size_t k = 0; k < name.size(); ++k) out[len + k] = name[k];
  return len + name.size();
}

MMIOTREE_END_NAMESPACE
