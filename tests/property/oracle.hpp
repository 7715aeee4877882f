// tests/property/oracle.hpp: deliberately simple references, read from the documents.
//
// - `visible` / `at`: DESIGN §2.2 (docs/concepts.md) literally — a container's children in
//   descending priority, a leaf ends the search, a container or alias recurses, a hole falls
//   through to the next lower sibling. Children are found by scanning for their parent index,
//   alias targets by comparing every region's path with the alias's (a relative one
//   spelled out as text first); slots are absent (a test
//   that places slots turns them into ordinary children first).
// - `expect_access`: docs/access.md, rule by rule, byte by byte.
//
// Input is the test's own description (model.hpp); nothing here includes the library.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"

namespace oracle {

using model::addr;
using model::none;

inline constexpr addr addr_max = ~addr{0};

/// The full path of region `i` (names from the root down, the root's own name excluded; the
/// root's path is empty).
inline std::string path(std::span<const model::region> t, std::size_t i) {
  std::string p;
  for (std::size_t x = i; x != none && t[x].parent != none; x = t[x].parent)
    p = std::string(t[x].name) + (p.empty() ? std::string() : "/" + p);
  return p;
}

/// The region whose path is `p`, or `none`.
inline std::size_t find(std::span<const model::region> t, std::string_view p) {
  for (std::size_t i = 0; i < t.size(); ++i)
    if (path(t, i) == p) return i;
  return none;
}

/// The target of alias `a`, read from docs/concepts.md: a path whose first segment is "." or
/// ".." is relative to the alias's container — its leading "." segments are dropped and each
/// leading ".." removes the last name of the container's path — and is then looked up as a
/// path from the root; any other path is one already. `none` if no region has it, or if the
/// ".." segments climb above the root.
inline std::size_t target_of(std::span<const model::region> t, std::size_t a) {
  std::string_view p = t[a].target;
  const std::string_view first = p.substr(0, p.find('/'));
  if (first != "." && first != "..") return find(t, p);
  std::string base = path(t, t[a].parent);  // the container's path, "" for the root
  for (;;) {
    const std::string_view seg = p.substr(0, p.find('/'));
    if (seg != "." && seg != "..") break;
    p = seg.size() == p.size() ? std::string_view{} : p.substr(seg.size() + 1);
    if (seg == "..") {
      if (base.empty()) return none;
      const auto cut = base.rfind('/');
      base.erase(cut == std::string::npos ? 0 : cut);
    }
  }
  const std::string full = base.empty() ? std::string(p)
                           : p.empty()  ? base
                                        : base + "/" + std::string(p);
  return find(t, full);
}

/// What one byte shows: the leaf (`none`: a hole), the offset into it, and the chain of aliases
/// it was reached through (which tells two occurrences of one leaf apart).
struct hit {
  std::size_t leaf = none;
  addr offset = 0;
  std::vector<std::size_t> via;
  bool operator==(const hit&) const = default;
  [[nodiscard]] bool same_place(const hit& o) const { return leaf == o.leaf && offset == o.offset; }
};

/// A description with what the rule needs looked up once: each container's children (slots
/// excluded), highest priority first, among equals in declaration order; each alias's target,
/// found by comparing paths.
class tree {
 public:
  explicit tree(std::span<const model::region> r)
      : r_(r), kids_(r.size()), target_(r.size(), none) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      // Unmapped children are not shown by their parent (concepts.md): only aliases reach them.
      if (r[i].parent != none && !r[i].slot && !r[i].unmapped) kids_[r[i].parent].push_back(i);
      if (r[i].kind == model::kind::alias) target_[i] = target_of(r, i);
    }
    for (auto& c : kids_)
      std::stable_sort(c.begin(), c.end(),
                       [&](std::size_t a, std::size_t b) { return r[a].priority > r[b].priority; });
  }
  [[nodiscard]] std::span<const model::region> regions() const { return r_; }
  [[nodiscard]] const model::region& operator[](std::size_t i) const { return r_[i]; }
  [[nodiscard]] std::size_t target(std::size_t alias) const { return target_[alias]; }

  /// What byte `x` (x < size) of region `i` shows.
  [[nodiscard]] hit visible(std::size_t i, addr x, std::vector<std::size_t> via = {}) const {
    const model::region& r = r_[i];
    if (model::is_leaf(r.kind)) return {i, x, via};
    if (r.kind == model::kind::alias) {
      via.push_back(i);
      return visible(target_[i], r.target_offset + x, via);
    }
    for (const std::size_t c : kids_[i]) {
      const model::region& ch = r_[c];
      if (x < ch.offset || x - ch.offset > ch.size - 1) continue;
      hit h = visible(c, x - ch.offset, via);
      if (h.leaf != none) return h;
    }
    return {};
  }

  /// What root byte `a` shows (a hole past the end of the root).
  [[nodiscard]] hit at(addr a) const {
    if (a > r_[0].size - 1) return {};
    return visible(0, a);
  }

  /// Do bytes showing `a` then `b` (b one past a) belong to one flat range (docs/access.md 1B)?
  [[nodiscard]] bool same_range(const hit& a, const hit& b) const {
    if (a.leaf == none || b.leaf == none || a.leaf != b.leaf || b.offset != a.offset + 1)
      return false;
    return !r_[a.leaf].keep_separate || a.via == b.via;
  }

  /// Probe addresses: every root address where some region, seen directly or through any chain
  /// of aliases, starts or ends (clipped to where it is seen), and their neighbours, inside the
  /// root, sorted. Nothing the oracle computes changes between two consecutive bounds, so
  /// probing them checks a map completely.
  /// Throws when there would be more than `cap` bounds (aliases of aliases multiply them), so
  /// that a check never passes on a truncated list.
  [[nodiscard]] std::vector<addr> probes(std::size_t cap = 1U << 18) const {
    std::vector<addr> b;
    bounds(0, 0, 0, r_[0].size - 1, b, cap);
    if (b.size() > cap) throw std::length_error("oracle: too many bounds to probe");
    const addr root_last = r_[0].size - 1;
    std::vector<addr> p;
    for (const addr x : b) {
      p.push_back(x);
      if (x != 0) p.push_back(x - 1);
      if (x < root_last) p.push_back(x + 1);
    }
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
    return p;
  }

  /// One flat range (docs/access.md 1B): [lo, last] shows `leaf` from `offset` on.
  struct range {
    addr lo = 0, last = 0;
    std::size_t leaf = none;
    addr offset = 0;
    bool operator==(const range&) const = default;
  };

  /// The flat view by the rule: every segment between consecutive probes is uniform (nothing
  /// starts or ends inside it), so it is read at its first byte, and consecutive segments are
  /// joined while `same_range` holds across the junction.
  [[nodiscard]] std::vector<range> flat() const {
    const std::vector<addr> p = probes();
    const addr root_last = r_[0].size - 1;
    std::vector<range> out;
    hit prev;  // the hit at the last byte of the previous segment
    for (std::size_t k = 0; k < p.size(); ++k) {
      const addr lo = p[k];
      const addr last = k + 1 < p.size() ? p[k + 1] - 1 : root_last;
      const hit h = at(lo);
      if (h.leaf != none) {
        if (!out.empty() && out.back().last + 1 == lo && same_range(prev, h))
          out.back().last = last;
        else
          out.push_back({lo, last, h.leaf, h.offset});
      }
      prev = h;
      prev.offset = h.offset + (last - lo);
    }
    return out;
  }

 private:
  void bounds(std::size_t i, addr delta, addr lo, addr last, std::vector<addr>& out,
              std::size_t cap) const {
    if (out.size() > cap) return;
    out.push_back(delta + lo);
    out.push_back(delta + last);
    const model::region& r = r_[i];
    if (model::is_leaf(r.kind)) return;
    if (r.kind == model::kind::alias) {
      const addr ao = r.target_offset;
      bounds(target_[i], delta - ao, lo + ao, last + ao, out, cap);
      return;
    }
    for (const std::size_t c : kids_[i]) {
      const addr clo = r_[c].offset, clast = r_[c].offset + (r_[c].size - 1);
      if (clo > last || clast < lo) continue;
      bounds(c, delta + clo, std::max(lo, clo) - clo, std::min(last, clast) - clo, out, cap);
    }
  }

  std::span<const model::region> r_;
  std::vector<std::vector<std::size_t>> kids_;
  std::vector<std::size_t> target_;
};

// ---- guest accesses (docs/access.md) ----------------------------------------------------

/// What an access ends with. `reentered` is never expected: no handler of these tests accesses
/// the space again, so a library that answers it is wrong.
enum class status : std::uint8_t { ok, decode_error, access_error, unbound, reentered };

/// The low `n` bytes set (all 64 bits for n >= 8).
[[nodiscard]] constexpr std::uint64_t low_bytes(unsigned n) {
  return n >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
}
[[nodiscard]] constexpr std::uint64_t swap_bytes(std::uint64_t v, unsigned n) {
  std::uint64_t r = 0;
  for (unsigned i = 0; i < n; ++i) r |= ((v >> (8 * i)) & 0xFF) << (8 * (n - 1 - i));
  return r;
}

struct outcome {
  status st = status::ok;
  std::uint64_t value = 0;  ///< a read's value (the error value when refused)
};

/// What the oracle acts on: whether a leaf is bound, and one unit's read/write, with values in
/// the leaf's bytes order of the guest (byte j of the value is leaf byte offset + j). The
/// environment applies the leaf kind and byte order (docs/access.md §4) and records calls.
template <class Env>
concept environment = requires(Env& e, std::size_t leaf, addr off, unsigned size, std::uint64_t v) {
  { e.bound(leaf) } -> std::convertible_to<bool>;
  { e.read_unit(leaf, off, size) } -> std::convertible_to<std::uint64_t>;
  e.write_unit(leaf, off, size, v);
};

/// docs/access.md §2–§4 for one access. `where(a)` gives the hit of root byte a: `t.at(a)`, or
/// for a tree with placed slots the test's own view of them.
template <environment Env, class Where>
outcome expect_access(const tree& t, Where&& where, addr a, unsigned size, bool is_write,
                      std::uint64_t value, Env& env) {
  const addr root_last = t[0].size - 1;
  // The error value: that of the leaf under the first byte, all ones for a hole or outside.
  std::uint64_t err = ~std::uint64_t{0};
  if (a <= root_last) {
    const hit h0 = where(a);
    if (h0.leaf != none) err = t[h0.leaf].policy.error_read;
  }
  const auto refuse = [&](status s) { return outcome{s, err & low_bytes(size)}; };
  // §2.1, §2.2
  if (size != 1 && size != 2 && size != 4 && size != 8) return refuse(status::access_error);
  if (a > root_last || root_last - a < size - 1) return refuse(status::decode_error);

  // §1C: the pieces, byte by byte.
  std::vector<hit> byte(size);
  for (unsigned k = 0; k < size; ++k) byte[k] = where(a + k);
  struct piece {
    unsigned first, count;  // guest byte index, bytes
  };
  std::vector<piece> pieces;
  for (unsigned k = 0; k < size; ++k) {
    if (k > 0 && t.same_range(byte[k - 1], byte[k]))
      ++pieces.back().count;
    else if (k > 0 && byte[k - 1].leaf == none && byte[k].leaf == none)
      ++pieces.back().count;  // one hole
    else
      pieces.push_back({k, 1});
  }
  const bool straddles = pieces.size() > 1;

  // §2.3 and §3: every piece, chunk and unit, before anything is performed.
  struct unit {
    std::size_t leaf;
    addr offset;
    unsigned size;
    std::vector<int> guest;  // for each byte of the unit, its guest byte index, or -1
  };
  std::vector<unit> units;
  for (const piece& p : pieces) {
    const hit& h = byte[p.first];
    if (h.leaf == none) return refuse(status::decode_error);
    const model::region& leaf = t[h.leaf];
    const model::policy& pol = leaf.policy;
    if (leaf.kind == model::kind::stub && leaf.response == model::answer::decode_error)
      return refuse(status::decode_error);
    if (!env.bound(h.leaf)) return refuse(status::unbound);
    if (straddles && pol.reject_straddle) return refuse(status::access_error);
    const std::size_t piece_units = units.size();
    // Chunks: the whole access, or aligned 8/4/2/1-byte chunks greedily.
    std::vector<std::pair<unsigned, unsigned>> chunks;  // first guest byte, size
    if (!straddles) {
      chunks.push_back({0, size});
    } else {
      unsigned k = p.first;
      const unsigned end = p.first + p.count;
      while (k < end) {
        unsigned c = 8;
        while (c > 1 && ((a + k) % c != 0 || end - k < c)) c /= 2;
        chunks.push_back({k, c});
        k += c;
      }
    }
    for (const auto& [g, c] : chunks) {
      const bool valid = (c == 1 && (pol.sizes & 1)) || (c == 2 && (pol.sizes & 2)) ||
                         (c == 4 && (pol.sizes & 4)) || (c == 8 && (pol.sizes & 8));
      if (!valid) return refuse(status::access_error);
      if (!pol.unaligned && (a + g) % c != 0) return refuse(status::access_error);
      const addr o = byte[g].offset;
      unsigned u = c;
      if (c < pol.impl_min) u = pol.impl_min;
      if (c > pol.impl_max) u = pol.impl_max;
      // §3: one unit when the handler implements the chunk's size; otherwise the aligned
      // u-byte blocks of the leaf holding a byte of the chunk.
      std::vector<addr> starts;
      if (u == c) starts.push_back(o);
      for (unsigned j = 0; u != c && j < c; ++j) {
        const addr s = (o + j) / u * u;
        if (std::find(starts.begin(), starts.end(), s) == starts.end()) starts.push_back(s);
      }
      std::sort(starts.begin(), starts.end());
      for (const addr s : starts) {
        if (s > leaf.size - 1 || leaf.size - 1 - s < u - 1) return refuse(status::access_error);
        // A unit identical to the piece's previous one (two chunks widened into one block) is
        // performed once.
        if (units.size() > piece_units && units.back().offset == s && units.back().size == u)
          continue;
        // It carries every byte of the piece that falls in it.
        unit un{h.leaf, s, u, std::vector<int>(u, -1)};
        for (unsigned k = p.first; k < p.first + p.count; ++k) {
          const addr lo = byte[k].offset;
          if (lo >= s && lo - s < u) un.guest[lo - s] = static_cast<int>(k);
        }
        units.push_back(std::move(un));
      }
    }
  }

  // §4: perform.
  outcome r;
  for (const unit& un : units) {
    const bool whole = std::none_of(un.guest.begin(), un.guest.end(), [](int g) { return g < 0; });
    std::uint64_t v = 0;
    if (!is_write || !whole) v = env.read_unit(un.leaf, un.offset, un.size);
    for (unsigned j = 0; j < un.size; ++j) {
      const int g = un.guest[j];
      if (g < 0) continue;
      if (is_write) {
        v = (v & ~(std::uint64_t{0xFF} << (8 * j))) | (((value >> (8 * g)) & 0xFF) << (8 * j));
      } else {
        r.value |= ((v >> (8 * j)) & 0xFF) << (8 * g);
      }
    }
    if (is_write) env.write_unit(un.leaf, un.offset, un.size, v);
  }
  return r;
}

}  // namespace oracle
