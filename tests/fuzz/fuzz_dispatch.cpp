// tests/fuzz/fuzz_dispatch.cpp: arbitrary guest accesses against the fixed trees of
// tests/property/trees.hpp (the CXL Type-2 BAR, QEMU's priority and alias examples, holes
// falling through several levels, stubs, the top of the 64-bit space, access policies side by
// side, an MSI-X table over a mmapped BAR), each checked against oracle::expect_access — the
// flat view and docs/access.md read literally from the tree's plain description, sharing
// nothing with the library (tests/property/oracle.hpp). The rig binds every leaf to host
// memory or a handler that logs its calls; a call outside its region, or of a size or
// alignment its policy does not implement, is a violation.
//
// Input: one byte choosing the tree, then records of 11 bytes (missing bytes read as zero):
//   op      bit 0 write; bits 1-3 size (0, 1, 2, 3, 4, 8, 16, or the low 5 bits of the next
//           byte); bits 4-6 where: near a probe of the model (an edge of some region) by a
//           signed byte, or by a signed 16-bit step, near the root's end, near 2^64, or raw
//           64 bits; bit 7 through a route cache (kept per tree across inputs)
//   where   2 bytes (probe index and delta) or 8 bytes (raw address)
//   value   8 bytes, for writes
// The rigs live across inputs (binding megabytes of patterned host memory per input would
// cost more than the accesses); the model keeps its own copy of that memory, so every check
// holds whatever earlier inputs wrote.
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/route_cache.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "harness.hpp"
#include "input.hpp"
#include "trees.hpp"

namespace {

using model::addr;

using fuzz_input::reader;

/// One tree: its rig, the model's probes (every edge of every region) and a route cache.
struct target_base {
  virtual ~target_base() = default;
  virtual void run(reader& in) = 0;
};

template <const auto& D>
struct target final : target_base {
  const char* name;
  harness::rig<D> rig;
  std::vector<addr> probes = rig.model().probes();
  mmiotree::route_cache cache;

  explicit target(const char* n) : name(n) {}

  void run(reader& in) override {
    constexpr unsigned sizes[] = {0, 1, 2, 3, 4, 8, 16};
    const addr root_last = D[0].size - 1;
    for (int records = 0; records < 64 && !in.done(); ++records) {
      const std::uint8_t op = in.byte();
      const bool write = (op & 1) != 0;
      const unsigned sel = (op >> 1) & 7;
      const unsigned size = sel < 7 ? sizes[sel] : in.byte() & 31;
      addr a = 0;
      switch ((op >> 4) & 7) {
        case 0:
        case 1:
        case 2: {
          const addr p = probes[in.byte() % probes.size()];
          a = p + static_cast<addr>(static_cast<std::int64_t>(static_cast<std::int8_t>(in.byte())));
          break;
        }
        case 3: {
          const addr p = probes[in.byte() % probes.size()];
          a = p +
              static_cast<addr>(static_cast<std::int64_t>(static_cast<std::int16_t>(in.word(2))));
          break;
        }
        case 4: a = root_last - in.byte(); break;
        case 5: a = ~addr{0} - in.byte(); break;
        default: a = in.word(8); break;
      }
      const std::uint64_t value = write ? in.word(8) : 0;
      const std::string err = rig.check(a, size, write, value, (op & 0x80) != 0 ? &cache : nullptr);
      if (!err.empty()) {
        std::fprintf(stderr, "fuzz_dispatch: tree %s: %s\n", name, err.c_str());
        std::abort();
      }
    }
  }
};

std::vector<std::unique_ptr<target_base>> make_targets() {
  std::vector<std::unique_ptr<target_base>> t;
  t.push_back(std::make_unique<target<trees::cxl_bar2_d>>("cxl_bar2"));
  t.push_back(std::make_unique<target<trees::abcde_d>>("qemu_abcde"));
  t.push_back(std::make_unique<target<trees::pc_d>>("qemu_pc"));
  t.push_back(std::make_unique<target<trees::nested_d>>("nested"));
  t.push_back(std::make_unique<target<trees::stubs_d>>("stubs"));
  t.push_back(std::make_unique<target<trees::top_d>>("top_of_space"));
  t.push_back(std::make_unique<target<trees::chain_d>>("alias_chain"));
  t.push_back(std::make_unique<target<trees::swapped_d>>("swapped"));
  t.push_back(std::make_unique<target<trees::policies_d>>("policies"));
  t.push_back(std::make_unique<target<trees::msix_d>>("msix"));
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::unique_ptr<target_base>> targets = make_targets();
  reader in(std::span<const std::uint8_t>(data, size));
  targets[in.byte() % targets.size()]->run(in);
  return 0;
}
