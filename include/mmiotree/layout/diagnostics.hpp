// layout/diagnostics.hpp: turns a failed `check_layout` into one readable compile error.
//
// Technique (Boost.SML's, measured in STYLE.md): once the consteval checker has found the
// broken rule, an error template carrying what identifies it — region paths as fixed_strings,
// the contested range as integers — is instantiated from an `if constexpr` branch. Its
// `static_assert` states the rule. g++ then opens the error with
//   In instantiation of 'struct mmiotree::v0::diag::siblings_overlap_at_equal_priority<
//       fixed_string<5>{"accel"}, fixed_string<9>{"comp_regs"}, 1052672, 1056767>'
// followed by the sentence. Ranges are inclusive [Lo, Last] relative to the root, in decimal
// (the compiler prints integers so). Only the first broken rule is reported: one mistake, one
// error, and every entry point sees a poison (empty) layout afterwards instead of cascading.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/layout/check.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <type_traits>

MMIOTREE_BEGIN_NAMESPACE

namespace diag {
// Errors are raised with `(void)&diag::emit<diag::rule<...>>;` (core/diag.hpp explains why not
// `sizeof`: one error on clang too, and our message before any constraint failure on g++).

// One error template per rule. Each message states the rule, then reads the template's own
// parameters back (compilers print the arguments, not the parameter names, on the
// "In instantiation of" line): Path, A, B, Child, Parent, Alias, Target are region paths
// ('/'-separated from the root, the root's own name excluded; the root's path is its name);
// Range is an inclusive byte range "[Lo, Last]", and Offset, Alignment are numbers, all in
// hexadecimal (`diag::hex_range`, `diag::hex`: compilers print integer arguments in decimal).

template <fixed_string Path>
struct access_policy_is_inconsistent {
  static_assert(always_false_v<Path>,
                "mmiotree: the region's access policy is inconsistent: in "
                "access_policy_is_inconsistent<Path>, the policy of region Path breaks a rule "
                "(valid sizes must be among 1/2/4/8, impl_min <= impl_max <= 8, alignment a "
                "power of two)");
};
template <fixed_string Path, fixed_string Offset>
struct region_has_zero_size {
  static_assert(always_false_v<Path>,
                "mmiotree: a region must not have size zero: in region_has_zero_size<Path, "
                "Offset>, region Path, placed at Offset in its parent, has size 0");
};
template <fixed_string Path, fixed_string Offset>
struct region_end_overflows_64_bits {
  static_assert(always_false_v<Path>,
                "mmiotree: the region's offset + size passes 2^64; it cannot be placed there: "
                "in region_end_overflows_64_bits<Path, Offset>, region Path, placed at Offset "
                "in its parent, would end past the last 64-bit address");
};
template <fixed_string Child, fixed_string Parent, fixed_string Range>
struct child_does_not_fit_in_parent {
  static_assert(always_false_v<Child>,
                "mmiotree: a child region does not fit inside its parent: in "
                "child_does_not_fit_in_parent<Child, Parent, Range>, region Child would lie "
                "at Range (relative to the root), past the end of Parent; move or shrink the "
                "child, or grow the parent");
};
template <fixed_string Alias, fixed_string TargetPath>
struct alias_target_not_found {
  static_assert(always_false_v<Alias>,
                "mmiotree: the alias's target path names no region of this tree: in "
                "alias_target_not_found<Alias, TargetPath>, no region has the path TargetPath "
                "that alias Alias targets (paths are '/'-separated from the root, the root's "
                "own name excluded)");
};
template <fixed_string Alias, fixed_string Target, fixed_string Range>
struct alias_window_outside_target {
  static_assert(always_false_v<Alias>,
                "mmiotree: the alias's window runs past the end of its target region: in "
                "alias_window_outside_target<Alias, Target, Range>, alias Alias shows Range "
                "(offsets in Target), which is not all inside region Target");
};
template <fixed_string Alias, fixed_string Target>
struct alias_cycle {
  static_assert(always_false_v<Alias>,
                "mmiotree: alias cycle: the alias reaches itself through its target: in "
                "alias_cycle<Alias, Target>, alias Alias shows region Target, whose subtree "
                "leads back to Alias (directly, or through further aliases)");
};
template <fixed_string A, fixed_string B>
struct duplicate_sibling_name {
  static_assert(always_false_v<A>,
                "mmiotree: two sibling regions have the same name; typed paths need unique "
                "names among siblings: in duplicate_sibling_name<A, B>, the regions A and B "
                "share one parent and one name");
};
template <fixed_string A, fixed_string B, fixed_string Range>
struct siblings_overlap_at_equal_priority {
  static_assert(always_false_v<A>,
                "mmiotree: sibling regions overlap at equal priority: in "
                "siblings_overlap_at_equal_priority<A, B, Range>, regions A and B both claim "
                "Range (relative to the root); give one of them a higher priority or move it");
};
template <fixed_string Slot, fixed_string OuterSlot>
struct slot_inside_a_slot {
  static_assert(always_false_v<Slot>,
                "mmiotree: a slot may not lie inside another slot: in slot_inside_a_slot<Slot, "
                "OuterSlot>, Slot is placed inside OuterSlot; make the inner one a static child");
};
template <fixed_string A, fixed_string B, fixed_string Range>
struct slot_windows_overlap {
  static_assert(always_false_v<A>,
                "mmiotree: two containers that hold slots overlap: in slot_windows_overlap<A, B, "
                "Range>, the root shows windows A and B (at their own positions or through "
                "aliases; A may be B) both over Range; where slot windows are shown must not "
                "meet");
};
template <fixed_string Alias, fixed_string Slot>
struct alias_shows_a_slot {
  static_assert(always_false_v<Alias>,
                "mmiotree: an alias may not show a slot: in alias_shows_a_slot<Alias, Slot>, the "
                "alias's target is or lies inside Slot, whose position is decided at run time; "
                "alias the slot's window instead, and the slot is seen wherever it is placed");
};
template <fixed_string Slot, fixed_string Alignment>
struct slot_alignment_not_a_power_of_two {
  static_assert(always_false_v<Slot>,
                "mmiotree: a slot's alignment must be a power of two: in "
                "slot_alignment_not_a_power_of_two<Slot, Alignment>, slot Slot is declared "
                "slot<Region, Priority, Alignment>; use a power of two, or 0 for the natural "
                "alignment (the size rounded up to a power of two)");
};
template <fixed_string Region>
struct unmapped_region_shown_by_no_alias {
  static_assert(always_false_v<Region>,
                "mmiotree: an unmapped region must be shown by an alias: in "
                "unmapped_region_shown_by_no_alias<Region>, no alias targets Region or a region "
                "inside it, so none of its bytes is visible; add an alias or remove the region");
};
template <fixed_string Path, fixed_string Offset, fixed_string Alignment>
struct placement_misaligned_for_access_policy {
  static_assert(always_false_v<Path>,
                "mmiotree: the region's offset from the root is not a multiple of the "
                "alignment its access policy requires: in "
                "placement_misaligned_for_access_policy<Path, Offset, Alignment>, region Path "
                "starts at Offset (relative to the root), which is not a multiple of Alignment");
};
}  // namespace diag

namespace detail {
/// The path of node I of Tree as a fixed_string (a type-level name for diagnostics).
template <region Tree, node_index I>
inline constexpr auto path_fs = [] {
  fixed_string<path_of(detail::tree_nodes_v<Tree>, I)> f{};
  path_of(detail::tree_nodes_v<Tree>, I, f.value);
  return f;
}();

/// The result of checking Tree: a constant with internal linkage, so no symbol keyed on the
/// tree (tree/descriptor.hpp).
template <region Tree>
constexpr layout_check check_v = check_layout(detail::tree_nodes_v<Tree>);

/// Whether the error names a second region (`layout_check::b`).
constexpr bool names_b(layout_error e) noexcept {
  return e != layout_error::bad_access_policy && e != layout_error::zero_size &&
         e != layout_error::offset_overflow && e != layout_error::alias_target_not_found &&
         e != layout_error::misaligned_placement && e != layout_error::bad_slot_alignment &&
         e != layout_error::unmapped_not_shown;
}

/// Node I's path, or "" for npos.
template <region Tree, node_index I>
constexpr auto path_or_empty_v = path_fs<Tree, I>;
template <region Tree>
constexpr auto path_or_empty_v<Tree, npos> = fixed_string<0>{};

/// Alias I's target path as written, or "" for npos.
template <region Tree, node_index I>
constexpr auto alias_path_v = [] {
  constexpr std::string_view tp = tree_nodes_v<Tree>[I].alias_path;
  return fixed_string<tp.size()>{tp};
}();
template <region Tree>
constexpr auto alias_path_v<Tree, npos> = fixed_string<0>{};

/// The names the error of Tree's check carries (K = 0: region a, 1: region b, 2: the target
/// path an alias was given); all "" when Tree is well formed, so nothing is computed then.
template <region Tree, int K, bool Ok = check_v<Tree>.ok()>
constexpr auto named_v = fixed_string<0>{};
template <region Tree>
constexpr auto named_v<Tree, 0, false> = path_or_empty_v<Tree, check_v<Tree>.a>;
template <region Tree>
constexpr auto named_v<Tree, 1, false> =
    path_or_empty_v<Tree, names_b(check_v<Tree>.error) ? check_v<Tree>.b : npos>;
template <region Tree>
constexpr auto named_v<Tree, 2, false> =
    alias_path_v<Tree, check_v<Tree>.error == layout_error::alias_target_not_found ? check_v<Tree>.a
                                                                                   : npos>;

/// The one error of a tree that breaks a layout rule (C), naming regions A and B and the target
/// path T; instantiated only then. Keyed on those strings, not on the tree: the `required from`
/// lines of the error print these short arguments, not every region of the tree.
template <layout_check C, fixed_string A, fixed_string B, fixed_string T>
consteval bool report() {
  constexpr auto e = C.error;
  if constexpr (e == layout_error::bad_access_policy) {
    (void)&diag::emit<diag::access_policy_is_inconsistent<A>>;
  } else if constexpr (e == layout_error::zero_size) {
    (void)&diag::emit<diag::region_has_zero_size<A, diag::hex<C.lo>>>;
  } else if constexpr (e == layout_error::offset_overflow) {
    (void)&diag::emit<diag::region_end_overflows_64_bits<A, diag::hex<C.lo>>>;
  } else if constexpr (e == layout_error::child_outside_parent) {
    (void)&diag::emit<diag::child_does_not_fit_in_parent<A, B, diag::hex_range<C.lo, C.last>>>;
  } else if constexpr (e == layout_error::alias_target_not_found) {
    (void)&diag::emit<diag::alias_target_not_found<A, T>>;
  } else if constexpr (e == layout_error::alias_target_out_of_range) {
    (void)&diag::emit<diag::alias_window_outside_target<A, B, diag::hex_range<C.lo, C.last>>>;
  } else if constexpr (e == layout_error::alias_cycle) {
    (void)&diag::emit<diag::alias_cycle<A, B>>;
  } else if constexpr (e == layout_error::duplicate_sibling_name) {
    (void)&diag::emit<diag::duplicate_sibling_name<A, B>>;
  } else if constexpr (e == layout_error::siblings_overlap) {
    (void)&diag::emit<
        diag::siblings_overlap_at_equal_priority<A, B, diag::hex_range<C.lo, C.last>>>;
  } else if constexpr (e == layout_error::misaligned_placement) {
    (void)&diag::emit<
        diag::placement_misaligned_for_access_policy<A, diag::hex<C.lo>, diag::hex<C.last>>>;
  } else if constexpr (e == layout_error::nested_slot) {
    (void)&diag::emit<diag::slot_inside_a_slot<A, B>>;
  } else if constexpr (e == layout_error::slot_windows_overlap) {
    (void)&diag::emit<diag::slot_windows_overlap<A, B, diag::hex_range<C.lo, C.last>>>;
  } else if constexpr (e == layout_error::alias_shows_a_slot) {
    (void)&diag::emit<diag::alias_shows_a_slot<A, B>>;
  } else if constexpr (e == layout_error::bad_slot_alignment) {
    (void)&diag::emit<diag::slot_alignment_not_a_power_of_two<A, diag::hex<C.lo>>>;
  } else if constexpr (e == layout_error::unmapped_not_shown) {
    (void)&diag::emit<diag::unmapped_region_shown_by_no_alias<A>>;
  }
  return false;
}

/// `value` is whether C passed: `check_layout` returns `layout_check{}` exactly when every rule
/// holds. A class, not a function: then it is `std::true_type`, and no function is
/// instantiated.
template <layout_check C, fixed_string A, fixed_string B, fixed_string T>
struct verdict : std::bool_constant<report<C, A, B, T>()> {};
template <fixed_string A, fixed_string B, fixed_string T>
struct verdict<layout_check{}, A, B, T> : std::true_type {};

/// The verdict on Tree, keyed on its check and three names, not on the tree: the library's
/// own entry points read `verdict_of<Tree>::value` rather than `verify<Tree>`: through a concept
/// clang adds two frames (note, source line, caret) whose notes, for a tree declared with
/// `using`, spell out every region.
template <class Tree>
using verdict_of = verdict<check_v<Tree>, named_v<Tree, 0>, named_v<Tree, 1>, named_v<Tree, 2>>;
}  // namespace detail

/// True when Tree obeys every layout rule; otherwise evaluating it produces the one readable
/// compile error described above. Every public entry point (flat_view, projection,
/// address_space, printers) goes through it: `static_assert(verify<Tree>)`,
/// `requires verify<Tree>`, `if constexpr (verify<Tree>)`.
///
/// A concept rather than an inline `bool` variable template: such a variable is a symbol whose
/// mangled name spells out the whole tree, which g++ 12 takes ~0.3 s to produce for a
/// 1,024-leaf tree declared as an alias (tree/descriptor.hpp); a concept is no symbol, and
/// can constrain a template directly.
template <class Tree>
concept verify = region<Tree> && detail::verdict_of<Tree>::value;

/// True for every tree; evaluating it reports Tree's first layout error, if it has one. For the
/// entry points that stay well-formed on a tree that breaks a rule — `address_space<Bad>` is
/// still a class, `mtree_text<Bad>()` still a function — so that the uses after the mistake add
/// no error of their own (one mistake, one error): `static_assert(reported<Tree>)`. They then
/// work on empty tables: `flat_view_v` and every table derived from it are empty for such a tree.
template <class Tree>
concept reported = verify<Tree> || true;

MMIOTREE_END_NAMESPACE
