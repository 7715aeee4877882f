// bench/more/update_rerender.cpp: the re-rendered machine of update/rerender/* (QEMU's way:
// update_machine.hpp), compiled once here rather than in every update_<N>.cpp, whose compile
// time measures the slot machine of N BARs alone (docs/benchmarks.md, "Compile time").
#include <mmiotree/layout/flatten.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "update_machine.hpp"

namespace bench {

std::vector<mmiotree::node> static_machine(const std::vector<std::size_t>& positions) {
  using mmiotree::node;
  using mmiotree::node_index;
  using mmiotree::region_kind;
  const std::size_t n = positions.size();
  std::vector<node> v;
  v.reserve(4 + 4 * n);
  auto add = [&](std::string_view name, region_kind kind, addr_t size, addr_t offset,
                 node_index parent) {
    node x;
    x.name = name;
    x.kind = kind;
    x.size = size;
    x.offset = offset;
    x.parent = parent;
    x.depth = parent == mmiotree::npos ? 0 : v[parent].depth + 1;
    v.push_back(x);
    return static_cast<node_index>(v.size() - 1);
  };
  const node_index root = add("machine", region_kind::container, 4_GiB, 0, mmiotree::npos);
  add("ram", region_kind::passthrough, ram_size, 0, root);
  add("ioapic", region_kind::io, 4_KiB, ioapic_base, root);
  const node_index pci = add("pci", region_kind::container, window_size(n), window_base, root);
  for (std::size_t k = 0; k < n; ++k) {
    const node_index bar =
        add("bar", region_kind::container, bar_size, positions[k] * bar_size, pci);
    add("regs", region_kind::io, regs_size, regs_offset, bar);
    add("msix", region_kind::io, msix_size, msix_offset, bar);
    add("mem", region_kind::passthrough, mem_size, mem_offset, bar);
  }
  // Subtree ends (pre-order) and leaf numbers.
  for (node_index i = static_cast<node_index>(v.size()); i-- > 0;) {
    if (v[i].end == 0) v[i].end = i + 1;
    if (v[i].parent != mmiotree::npos) v[v[i].parent].end = std::max(v[v[i].parent].end, v[i].end);
  }
  std::uint32_t leaves = 0;
  for (node& x : v)
    if (mmiotree::is_leaf(x.kind)) x.leaf = leaves++;
  return v;
}

rerender_machine::rerender_machine(std::size_t n) {
  std::vector<std::size_t> pos(n);
  for (std::size_t k = 0; k < n; ++k) pos[k] = start_position(k, n);
  nodes_ = static_machine(pos);
  host_.assign(nodes_.size(), nullptr);
  view_ = mmiotree::flatten(nodes_);
}

void rerender_machine::move(std::size_t k, addr_t base, mmiotree::map_listener& listener) {
  nodes_[bar_node(k)].offset = base;
  std::vector<mmiotree::flat_range> next = mmiotree::flatten(nodes_);
  diff(view_, next, listener);
  view_.swap(next);
}

mmiotree::map_event rerender_machine::event_of(const mmiotree::flat_range& r) const noexcept {
  const mmiotree::node& n = nodes_[r.leaf];
  mmiotree::map_event e{r.lo, r.last, r.leaf, n.kind, r.offset, nullptr, {}};
  if (n.kind == mmiotree::region_kind::passthrough && host_[r.leaf] != nullptr)
    e.host = host_[r.leaf] + r.offset;
  return e;
}

void rerender_machine::diff(const std::vector<mmiotree::flat_range>& a,
                            const std::vector<mmiotree::flat_range>& b,
                            mmiotree::map_listener& listener) const {
  for (int pass = 0; pass < 2; ++pass) {
    const bool adds = pass == 1;
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
      if (j == b.size() || (i < a.size() && a[i].lo < b[j].lo)) {
        if (!adds) listener.region_del(event_of(a[i]));
        ++i;
      } else if (i == a.size() || b[j].lo < a[i].lo) {
        if (adds) listener.region_add(event_of(b[j]));
        ++j;
      } else {
        if (!(a[i] == b[j])) {
          if (adds)
            listener.region_add(event_of(b[j]));
          else
            listener.region_del(event_of(a[i]));
        }
        ++i;
        ++j;
      }
    }
  }
}

}  // namespace bench
