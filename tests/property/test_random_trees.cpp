// Property test: random descriptor trees through check_layout, flatten and project.
//
// Each tree is checked by check_layout. A rejected tree must really break the rule reported (a
// brute-force O(n^2) reading of DESIGN §2.2 says so, and says that no rule checked earlier is
// broken); an accepted tree must break none. For accepted trees the flat view must equal the
// oracle (oracle.hpp) at every boundary, and the projection for 4, 16 and 64 KiB pages must be
// sound (flat_checks.hpp).
//
// The seed is fixed and printed; MMIOTREE_PROPERTY_SEED overrides it and
// MMIOTREE_PROPERTY_TREES the number of trees, to replay or to run longer.
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/layout/check.hpp>
#include <mmiotree/layout/flatten.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "flat_checks.hpp"
#include "oracle.hpp"

using namespace mmiotree;

namespace {

__extension__ typedef unsigned __int128 u128;  // exact sums of two 64-bit values
constexpr addr_t addr_max = ~addr_t{0};

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 0) : fallback;
}

/// What went wrong on purpose in a generated tree (most trees: nothing).
enum class injected {
  none,
  bad_policy,
  zero_size,
  offset_overflow,
  outside_parent,
  alias_not_found,
  alias_out_of_range,
  alias_cycle,
  duplicate_name,
  overlap,
  misaligned,
  count_
};

/// A generated tree: nodes in pre-order plus the strings their views point into.
struct tree {
  std::vector<node> nodes;
  std::deque<std::string> strings;  // a deque: its elements never move
  injected fault = injected::none;

  std::string_view keep(std::string s) { return strings.emplace_back(std::move(s)); }
};

class generator {
 public:
  /// With `ordered`, trees have the shape the one-pass check and flat view take: no aliases,
  /// and each container's children declared in (priority, offset) order (faults are still
  /// injected, and may break that order).
  explicit generator(std::uint64_t seed, bool ordered = false) : rng_(seed), ordered_(ordered) {}

  void build(tree& t) {
    t = {};
    const bool huge = chance(1, 25);
    grain_ = std::array<addr_t, 5>{1, 0x10, 0x400, 0x1000, 0x4000}[pick(0, 4)];
    const addr_t root = huge ? addr_max : grain_ * pick(8, 256);
    t.nodes.push_back(make("root", region_kind::container, root, 0, 0, npos, 0));
    children(t, 0, 0);
    t.nodes[0].end = static_cast<node_index>(t.nodes.size());
    t.fault =
        chance(1, 6) ? static_cast<injected>(pick(1, int(injected::count_) - 1)) : injected::none;
    assign_aliases(t);
    inject(t);
    detail::link(t.nodes);
  }

 private:
  std::uint64_t pick(std::uint64_t lo, std::uint64_t hi) {  // inclusive
    if (lo == 0 && hi == addr_max) return rng_();
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  bool chance(int num, int den) { return static_cast<int>(pick(0, den - 1)) < num; }

  static node make(std::string_view name, region_kind k, addr_t size, addr_t offset,
                   std::int32_t prio, node_index parent, std::uint32_t depth) {
    node n;
    n.name = name;
    n.kind = k;
    n.size = size;
    n.offset = offset;
    n.priority = prio;
    n.parent = parent;
    n.depth = depth;
    return n;
  }

  /// A policy for a leaf placed at `abs_pos`: its own alignment when the placement has it
  /// (half the time), else 1 (misaligned placements are injected on purpose).
  access_policy random_policy(addr_t abs_pos) {
    access_policy p;
    switch (pick(0, 9)) {  // aligned-only policies 1 in 5: each alias may misplace them
      case 0: p = access::exactly<4>; break;
      case 1: p = access::adjusted<4>; break;
      case 2: p.valid = sizes(1, 4); break;
      default: break;
    }
    // A policy that refuses unaligned accesses needs align >= impl_max (well_formed); relax
    // only the others, so misaligned placements still occur where the position is off.
    if (p.unaligned && (abs_pos % p.align != 0 || chance(1, 2))) p.align = 1;
    if (!p.unaligned && abs_pos % p.align != 0 && !chance(1, 8)) p = access_policy{};
    p.error_read = chance(1, 4) ? pick(0, addr_max) : ~std::uint64_t{0};
    return p;
  }

  /// A size of roughly 1/2^k of `room`, on the grain when the grain fits.
  addr_t random_size(addr_t room) {
    addr_t s = room >> pick(0, 4);
    if (s == 0) s = 1;
    s = pick(std::max<addr_t>(1, s / 4), s);
    if (s >= grain_ && chance(4, 5)) s -= s % grain_;
    return s;
  }

  void children(tree& t, node_index self, std::uint32_t depth) {
    const addr_t psize = t.nodes[self].size;
    const int count = depth == 0  ? static_cast<int>(pick(1, 6))
                      : depth < 4 ? static_cast<int>(pick(0, 4))
                                  : 0;
    struct spec {
      addr_t size, off;
      std::int32_t prio;
      region_kind kind;
    };
    std::vector<spec> specs;
    for (int k = 0; k < count; ++k) {
      const addr_t size = random_size(psize);
      addr_t off = 0;
      switch (pick(0, 5)) {
        case 0: off = 0; break;
        case 1: off = psize - size; break;  // flush with the end (the top of 2^64 for huge)
        default:
          off = pick(0, psize - size);
          if (off >= grain_ && chance(4, 5)) off -= off % grain_;
      }
      auto prio = static_cast<std::int32_t>(pick(0, 4)) - 2;
      // Resolve equal-priority overlap with earlier siblings by construction.
      std::set<std::int32_t> taken;
      for (const spec& o : specs) {
        if (off <= o.off + (o.size - 1) && o.off <= off + (size - 1)) taken.insert(o.prio);
      }
      if (taken.size() >= 9)
        prio = *taken.rbegin() + 1;
      else
        while (taken.count(prio) != 0) prio = static_cast<std::int32_t>(pick(0, 8)) - 4;

      region_kind kind;
      const auto r = pick(0, 99);
      if (depth < 4 && r < 25)
        kind = region_kind::container;
      else if (r < 50)
        kind = region_kind::passthrough;
      else if (r < 70)
        kind = region_kind::io;
      else if (r < 80 || ordered_)
        kind = region_kind::stub;
      else
        kind = region_kind::alias;
      specs.push_back({size, off, prio, kind});
    }
    if (ordered_) {
      std::stable_sort(specs.begin(), specs.end(), [](const spec& a, const spec& b) {
        return a.prio != b.prio ? a.prio < b.prio : a.off < b.off;
      });
    }
    for (const spec& sp : specs) {
      const addr_t size = sp.size, off = sp.off;
      const std::int32_t prio = sp.prio;
      const region_kind kind = sp.kind;
      const auto idx = static_cast<node_index>(t.nodes.size());
      const std::string_view name = t.keep("n" + std::to_string(idx));
      node n = make(name, kind, size, off, prio, self, depth + 1);
      addr_t abs_pos = off;
      for (node_index x = self; x != npos; x = t.nodes[x].parent) abs_pos += t.nodes[x].offset;
      if (kind == region_kind::passthrough || kind == region_kind::io)
        n.access = random_policy(abs_pos);
      if (kind == region_kind::stub) {
        n.response = static_cast<stub_response>(pick(0, 2));
        if (chance(1, 3)) n.access = random_policy(abs_pos);
      }
      t.nodes.push_back(n);
      if (kind == region_kind::container) children(t, idx, depth + 1);
      t.nodes[idx].end = static_cast<node_index>(t.nodes.size());
    }
  }

  /// Path of node i from the root (root excluded), built from names and parents.
  static std::string path(const tree& t, node_index i) {
    if (i == 0) return "";
    const std::string up = path(t, t.nodes[i].parent);
    return up.empty() ? std::string(t.nodes[i].name) : up + "/" + std::string(t.nodes[i].name);
  }

  /// Can `from` reach `to` through children and the alias targets chosen so far?
  static bool reaches(const tree& t, const std::vector<node_index>& target, node_index from,
                      node_index to) {
    std::vector<node_index> stack{from};
    std::vector<bool> seen(t.nodes.size(), false);
    while (!stack.empty()) {
      const node_index x = stack.back();
      stack.pop_back();
      if (x == to) return true;
      if (seen[x]) continue;
      seen[x] = true;
      if (t.nodes[x].kind == region_kind::alias) {
        if (target[x] != npos) stack.push_back(target[x]);
      } else {
        for (node_index c = x + 1; c < t.nodes[x].end; c = t.nodes[c].end) stack.push_back(c);
      }
    }
    return false;
  }

  /// Points each alias at a node that cannot reach it back (so no cycle arises), preferring
  /// containers and other aliases; an alias with no possible target becomes a passthrough.
  void assign_aliases(tree& t) {
    std::vector<node_index> aliases;
    for (node_index i = 0; i < t.nodes.size(); ++i)
      if (t.nodes[i].kind == region_kind::alias) aliases.push_back(i);
    std::shuffle(aliases.begin(), aliases.end(), rng_);
    std::vector<node_index> target(t.nodes.size(), npos), used;
    for (const node_index a : aliases) {
      std::vector<node_index> forwarding, leaves;
      for (node_index c = 1; c < t.nodes.size(); ++c) {
        if (c == a || reaches(t, target, c, a)) continue;
        (is_leaf(t.nodes[c].kind) ? leaves : forwarding).push_back(c);
      }
      auto& from = !forwarding.empty() && (leaves.empty() || chance(3, 5)) ? forwarding : leaves;
      node& n = t.nodes[a];
      if (from.empty()) {
        n.kind = region_kind::passthrough;
        continue;
      }
      node_index tg = from[pick(0, from.size() - 1)];
      // Often reuse an earlier alias's target: two windows onto one region, side by side in
      // the flat view, are where offsets must not be merged across.
      if (!used.empty() && chance(1, 3)) {
        const node_index u = used[pick(0, used.size() - 1)];
        if (u != a && !reaches(t, target, u, a)) tg = u;
      }
      used.push_back(tg);
      target[a] = tg;
      const addr_t tsize = t.nodes[tg].size;
      if (n.size > tsize) n.size = tsize;  // shrinking never creates an overlap
      n.alias_offset = pick(0, tsize - n.size);
      if (n.alias_offset >= grain_ && chance(3, 4)) n.alias_offset -= n.alias_offset % grain_;
      n.alias_path = t.keep(path(t, tg));
    }
  }

  node_index random_node(const tree& t, bool include_root) {
    return static_cast<node_index>(pick(include_root ? 0 : 1, t.nodes.size() - 1));
  }

  /// Breaks one rule on purpose (if the tree allows it; otherwise leaves it valid).
  void inject(tree& t) {
    std::vector<node_index> aliases;
    for (node_index i = 0; i < t.nodes.size(); ++i)
      if (t.nodes[i].kind == region_kind::alias) aliases.push_back(i);
    switch (t.fault) {
      case injected::none:
      case injected::count_: break;
      case injected::bad_policy: {
        node& n = t.nodes[random_node(t, true)];
        switch (pick(0, 3)) {
          case 0: n.access.impl_min = 3; break;
          case 1: n.access.valid = 0x10; break;
          case 2: n.access.impl_min = 8, n.access.impl_max = 4; break;
          default: n.access.align = 12; break;
        }
        break;
      }
      case injected::zero_size: t.nodes[random_node(t, true)].size = 0; break;
      case injected::offset_overflow: {
        if (t.nodes.size() < 2) break;
        node& n = t.nodes[random_node(t, false)];
        n.offset = addr_max - pick(0, n.size > 1 ? n.size - 2 : 0);
        break;
      }
      case injected::outside_parent: {
        if (t.nodes.size() < 2) break;
        node& n = t.nodes[random_node(t, false)];
        const addr_t psize = t.nodes[n.parent].size;
        if (n.size < psize && chance(1, 2))
          n.offset = psize - n.size + pick(1, std::min<addr_t>(n.size, psize - n.size + 1));
        else if (psize != addr_max)
          n.size = psize + 1;
        break;
      }
      case injected::alias_not_found:
        if (!aliases.empty()) t.nodes[aliases[pick(0, aliases.size() - 1)]].alias_path = "nowhere";
        break;
      case injected::alias_out_of_range: {
        if (aliases.empty()) break;
        node& n = t.nodes[aliases[pick(0, aliases.size() - 1)]];
        const node_index tg = detail::find_path(t.nodes, n.alias_path);
        if (tg != npos && t.nodes[tg].size - n.size < addr_max - 1)
          n.alias_offset = t.nodes[tg].size - n.size + 1;
        break;
      }
      case injected::alias_cycle: {
        if (aliases.empty()) break;
        // Point an alias at itself or at one of its ancestors (the root excepted: its path
        // is "" and a cycle through it is just as much a cycle).
        const node_index a = aliases[pick(0, aliases.size() - 1)];
        std::vector<node_index> up{a};
        for (node_index p = t.nodes[a].parent; p != npos; p = t.nodes[p].parent) up.push_back(p);
        const node_index tg = up[pick(0, up.size() - 1)];
        node& n = t.nodes[a];
        n.alias_path = t.keep(path(t, tg));
        n.size = std::min(n.size, t.nodes[tg].size);
        n.alias_offset = 0;
        break;
      }
      case injected::duplicate_name: {
        std::vector<std::pair<node_index, node_index>> pairs;
        for (node_index i = 1; i < t.nodes.size(); ++i)
          for (node_index j = i + 1; j < t.nodes.size(); ++j)
            if (t.nodes[i].parent == t.nodes[j].parent) pairs.push_back({i, j});
        if (pairs.empty()) break;
        const auto [i, j] = pairs[pick(0, pairs.size() - 1)];
        t.nodes[j].name = t.nodes[i].name;
        break;
      }
      case injected::overlap: {
        std::vector<std::pair<node_index, node_index>> pairs;
        for (node_index i = 1; i < t.nodes.size(); ++i)
          for (node_index j = i + 1; j < t.nodes.size(); ++j)
            if (t.nodes[i].parent == t.nodes[j].parent) pairs.push_back({i, j});
        if (pairs.empty()) break;
        const auto [i, j] = pairs[pick(0, pairs.size() - 1)];
        node& b = t.nodes[j];
        const node& a = t.nodes[i];
        b.priority = a.priority;
        // Move b so that it overlaps a by at least one byte, staying inside the parent.
        const addr_t psize = t.nodes[a.parent].size;
        const addr_t lo = a.offset >= b.size - 1 ? a.offset - (b.size - 1) : 0;
        const addr_t hi = std::min(a.offset + (a.size - 1), psize - b.size);
        if (lo <= hi) b.offset = pick(lo, hi);
        break;
      }
      case injected::misaligned: {
        std::vector<addr_t> abs(t.nodes.size(), 0);
        std::vector<node_index> cand;
        for (node_index i = 1; i < t.nodes.size(); ++i) {
          abs[i] = abs[t.nodes[i].parent] + t.nodes[i].offset;
          if (abs[i] != 0 && std::countr_zero(abs[i]) < 63) cand.push_back(i);
        }
        if (cand.empty()) break;
        const node_index i = cand[pick(0, cand.size() - 1)];
        const auto bit = std::min<std::uint64_t>(std::countr_zero(abs[i]) + pick(1, 3), 63);
        t.nodes[i].access.align = addr_t{1} << bit;
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  bool ordered_ = false;
  addr_t grain_ = 1;
};

// ---- brute force: DESIGN §2.2's rules, each read literally, O(n^2) ---------------------

bool literal_well_formed(const access_policy& p) {
  auto one_of = [](std::uint64_t v) { return v == 1 || v == 2 || v == 4 || v == 8; };
  auto pow2 = [](std::uint64_t v) {
    for (int k = 0; k < 64; ++k)
      if (v == std::uint64_t{1} << k) return true;
    return false;
  };
  bool sizes_ok = p.valid != 0;
  for (int bit = 0; bit < 8; ++bit)
    if ((p.valid >> bit) & 1U) sizes_ok = sizes_ok && bit < 4;
  return sizes_ok && one_of(p.impl_min) && one_of(p.impl_max) && p.impl_min <= p.impl_max &&
         pow2(p.align) && (p.unaligned || p.align >= p.impl_max);
}

/// The node whose full path is `path`, by comparing every node's path (no find_path).
node_index literal_target(const std::vector<node>& nodes, std::string_view path) {
  for (node_index i = 0; i < nodes.size(); ++i) {
    std::string p;
    for (node_index x = i; x != 0 && x != npos; x = nodes[x].parent)
      p = std::string(nodes[x].name) + (p.empty() ? "" : "/") + p;
    if (p == path) return i;
  }
  return npos;
}

/// Is node `to` reachable from `from` through descendants and alias targets?
bool literal_reaches(const std::vector<node>& nodes, node_index from, node_index to) {
  std::vector<bool> seen(nodes.size(), false);
  std::vector<node_index> work{from};
  while (!work.empty()) {
    const node_index x = work.back();
    work.pop_back();
    if (seen[x]) continue;
    seen[x] = true;
    if (nodes[x].kind == region_kind::alias) {
      const node_index t = literal_target(nodes, nodes[x].alias_path);
      if (t == to) return true;
      if (t != npos) work.push_back(t);
    } else {
      for (node_index c = 0; c < nodes.size(); ++c)
        if (nodes[c].parent == x) {
          if (c == to) return true;
          work.push_back(c);
        }
    }
  }
  return false;
}

/// Every rule broken, by kind; `claim` says whether the specific report of check_layout holds.
struct brute_result {
  std::set<layout_error> broken;
  bool claim_holds = false;
  std::string why;
};

brute_result brute_force(const std::vector<node>& nodes, const layout_check& c) {
  brute_result r;
  const std::size_t n = nodes.size();
  auto abs = [&](node_index i) {  // mod 2^64, like the reported ranges
    addr_t a = 0;
    for (node_index x = i; x != 0 && x != npos; x = nodes[x].parent) a += nodes[x].offset;
    return a;
  };
  auto end128 = [&](addr_t off, addr_t size) { return u128{off} + size; };

  for (node_index i = 0; i < n; ++i) {
    const node& x = nodes[i];
    if (!literal_well_formed(x.access)) {
      r.broken.insert(layout_error::bad_access_policy);
      if (c.error == layout_error::bad_access_policy && c.a == i) r.claim_holds = true;
    }
    if (x.size == 0) {
      r.broken.insert(layout_error::zero_size);
      if (c.error == layout_error::zero_size && c.a == i) r.claim_holds = true;
    }
  }
  const bool sizes_ok = r.broken.count(layout_error::zero_size) == 0;
  for (node_index i = 0; i < n && sizes_ok; ++i) {
    const node& x = nodes[i];
    if (end128(x.offset, x.size) > (u128{1} << 64)) {
      r.broken.insert(layout_error::offset_overflow);
      if (c.error == layout_error::offset_overflow && c.a == i) r.claim_holds = true;
    }
    if (i != 0 && end128(x.offset, x.size) > nodes[x.parent].size) {
      r.broken.insert(layout_error::child_outside_parent);
      if (c.error == layout_error::child_outside_parent && c.a == i && c.b == x.parent &&
          c.lo == abs(i) && c.last == abs(i) + (x.size - 1))
        r.claim_holds = true;
    }
  }
  for (node_index i = 0; i < n; ++i) {
    const node& x = nodes[i];
    if (x.kind != region_kind::alias) continue;
    const node_index t = literal_target(nodes, x.alias_path);
    if (t == npos) {
      r.broken.insert(layout_error::alias_target_not_found);
      if (c.error == layout_error::alias_target_not_found && c.a == i) r.claim_holds = true;
      continue;
    }
    if (end128(x.alias_offset, x.size) > nodes[t].size) {
      r.broken.insert(layout_error::alias_target_out_of_range);
      if (c.error == layout_error::alias_target_out_of_range && c.a == i && c.b == t &&
          c.lo == x.alias_offset && c.last == x.alias_offset + (x.size - 1))
        r.claim_holds = true;
    }
    if (literal_reaches(nodes, t, i) || t == i) {
      r.broken.insert(layout_error::alias_cycle);
      if (c.error == layout_error::alias_cycle && c.a == i && c.b == t) r.claim_holds = true;
    }
  }
  for (node_index i = 1; i < n; ++i) {
    for (node_index j = i + 1; j < n; ++j) {
      const node &a = nodes[i], &b = nodes[j];
      if (a.parent != b.parent || nodes[a.parent].kind != region_kind::container) continue;
      if (a.name == b.name) {
        r.broken.insert(layout_error::duplicate_sibling_name);
        if (c.error == layout_error::duplicate_sibling_name && c.a == i && c.b == j)
          r.claim_holds = true;
      }
      if (a.priority != b.priority || !sizes_ok) continue;
      const u128 lo = std::max(a.offset, b.offset);
      const u128 end = std::min(end128(a.offset, a.size), end128(b.offset, b.size));
      if (lo < end) {
        r.broken.insert(layout_error::siblings_overlap);
        const addr_t base = abs(a.parent);
        if (c.error == layout_error::siblings_overlap && c.a == i && c.b == j &&
            c.lo == base + static_cast<addr_t>(lo) && c.last == base + static_cast<addr_t>(end - 1))
          r.claim_holds = true;
      }
    }
  }
  for (node_index i = 0; i < n; ++i) {
    const addr_t al = nodes[i].access.align;
    if (al != 0 && abs(i) % al != 0) {
      r.broken.insert(layout_error::misaligned_placement);
      if (c.error == layout_error::misaligned_placement && c.a == i && c.lo == abs(i) &&
          c.last == al)
        r.claim_holds = true;
    }
  }
  // An alias moves what it shows by (its address - its target offset - the target's address):
  // that must keep every region it shows, through any chain of aliases, as aligned as its
  // policy needs.
  for (node_index i = 0; i < n; ++i) {
    if (nodes[i].kind != region_kind::alias) continue;
    const node_index t = literal_target(nodes, nodes[i].alias_path);
    if (t == npos) continue;
    const addr_t shift = abs(i) - nodes[i].alias_offset - abs(t);
    addr_t need = nodes[t].access.align;
    bool broken = shift % need != 0;
    for (node_index x = 0; x < n; ++x) {
      if (!literal_reaches(nodes, t, x)) continue;
      need = std::max(need, nodes[x].access.align);
      broken = broken || shift % nodes[x].access.align != 0;
    }
    if (broken) {
      r.broken.insert(layout_error::misaligned_placement);
      if (c.error == layout_error::misaligned_placement && c.a == i && c.b == t && c.lo == abs(i) &&
          c.last == need)
        r.claim_holds = true;
    }
  }
  return r;
}

std::string dump(const tree& t) {
  std::string s = format_mtree(t.nodes);
  return s.size() > 6000 ? s.substr(0, 6000) + "…\n" : s;
}

}  // namespace

TEST_CASE("random trees: check_layout, flatten and project agree with the oracle", "[property]") {
  const std::uint64_t seed = env_or("MMIOTREE_PROPERTY_SEED", 0x6d6d696f74726565ULL);
  const std::uint64_t trees = env_or("MMIOTREE_PROPERTY_TREES", 1500);
  std::cout << "property seed: 0x" << std::hex << seed << std::dec << " (MMIOTREE_PROPERTY_SEED), "
            << trees << " trees (MMIOTREE_PROPERTY_TREES)\n";

  generator gen(seed);
  std::size_t accepted = 0, rejected = 0, checks = 0, aliases = 0, huge = 0;
  std::map<layout_error, std::size_t> by_rule;
  tree t;
  for (std::uint64_t k = 0; k < trees; ++k) {
    gen.build(t);
    const layout_check c = check_layout(t.nodes);
    INFO("seed 0x" << std::hex << seed << std::dec << ", tree " << k << " (injected fault "
                   << static_cast<int>(t.fault) << "), check_layout: " << to_string(c.error)
                   << " a=" << c.a << " b=" << c.b << " lo=0x" << std::hex << c.lo << " last=0x"
                   << c.last << std::dec << "\n"
                   << dump(t));
    const brute_result b = brute_force(t.nodes, c);
    ++checks;
    if (c.ok()) {
      REQUIRE(b.broken.empty());
    } else {
      ++rejected;
      ++by_rule[c.error];
      REQUIRE(b.claim_holds);
      // Rules are reported in the order of layout_error: nothing earlier may be broken.
      REQUIRE(*b.broken.begin() == c.error);
      continue;
    }
    ++accepted;
    for (const node& n : t.nodes) aliases += n.kind == region_kind::alias ? 1 : 0;
    huge += t.nodes[0].size == addr_max ? 1 : 0;

    const std::vector<flat_range> view = flatten(t.nodes);
    const std::string f = checks::flat_view_matches_oracle(t.nodes, view, checks);
    INFO(f);
    REQUIRE(f.empty());
    for (const addr_t page : {addr_t{4096}, addr_t{16384}, addr_t{65536}}) {
      const std::string p = checks::projection_is_sound(t.nodes, view, page, checks);
      INFO(p);
      REQUIRE(p.empty());
    }
  }
  std::cout << "  " << accepted << " accepted (" << huge << " with a 2^64-1 root, " << aliases
            << " aliases), " << rejected << " rejected:";
  for (const auto& [e, n] : by_rule) std::cout << " " << to_string(e) << "=" << n;
  std::cout << "; " << checks << " checks\n";
  // About three in four trees are valid (a fault is injected into one in six, and aliases
  // placed at random break alignment now and then): 73–76% over the seeds tried.
  CHECK(accepted >= trees * 2 / 3);
  CHECK(by_rule.size() >= 8);  // the injected faults reach most rules
}

// The one-pass shortcuts (layout/check.hpp, layout/flatten.hpp) against the full algorithms they
// stand in for, on trees of the shape they take: the check may accept a tree only if the full
// check does, and the one-pass flat view must equal the ranked sweep's. Faults are injected as
// above, so trees the shortcut must refuse occur too.
TEST_CASE("random ordered trees: the one-pass check and flat view agree with the full ones",
          "[property]") {
  const std::uint64_t seed = env_or("MMIOTREE_PROPERTY_SEED", 0x6f6e6570617373ULL);
  const std::uint64_t trees = env_or("MMIOTREE_PROPERTY_TREES", 1500);
  generator gen(seed, /*ordered=*/true);
  std::size_t one_pass_checks = 0, full_accepts = 0, one_pass_views = 0, ranked_views = 0;
  tree t;
  for (std::uint64_t k = 0; k < trees; ++k) {
    gen.build(t);
    INFO("seed 0x" << std::hex << seed << std::dec << ", ordered tree " << k << "\n" << dump(t));
    const bool one_pass = detail::passes_in_one_pass(t.nodes);
    const layout_check full = detail::check_layout_in_full(t.nodes);
    if (one_pass) {
      ++one_pass_checks;
      REQUIRE(full.ok());
    }
    REQUIRE(check_layout(t.nodes) == full);
    if (!full.ok()) continue;
    ++full_accepts;

    std::vector<flat_range> fast, ranked;
    auto into_fast = [&](const flat_range& r) { fast.push_back(r); };
    auto into_ranked = [&](const flat_range& r) { ranked.push_back(r); };
    detail::rank_and_sweep(t.nodes, into_ranked, 0);
    if (detail::flat_in_one_pass(t.nodes, into_fast, 0)) {
      ++one_pass_views;
      REQUIRE(fast == ranked);
    } else {
      ++ranked_views;
      REQUIRE(fast.empty());  // nothing emitted when the shortcut declines
    }
    REQUIRE(flatten(t.nodes) == ranked);
  }
  std::cout << "  ordered trees: " << one_pass_checks << " of " << full_accepts
            << " valid trees accepted in one pass; flat views: " << one_pass_views
            << " in one pass, " << ranked_views << " ranked\n";
  // Both ways are exercised: the shortcuts on most valid trees, the full algorithms on the rest.
  CHECK(one_pass_checks >= full_accepts / 2);
  CHECK(one_pass_views >= trees / 10);
  CHECK(ranked_views >= trees / 10);
}
