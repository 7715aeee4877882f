// bench/more/bench_cxl.cpp: a guest's 4-byte writes to HDM decoder registers through the Type-2
// component-register BAR's address space (dispatch, the regs layer's field rules, the commit
// hook), against a hand-written emulation of the same rules reached by one range check and a
// switch on the offset — what a VMM writes without mmiotree. Both run the same access
// sequences; each checks the other's final state once, so neither can skip work.
//
//   cxl/decoder_write/<impl>   writes to decoder 0's base, size and skip registers in turn
//   cxl/commit/<impl>          the Linux commit sequence (cxl.md §4.2) and a de-commit
// <impl>: mmiotree (the typed block in the BAR's address space), hand_in_space (the hand
// emulation as an io region of the same BAR: the same dispatch), hand (the hand emulation
// called directly, one range check standing for the dispatch).
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/runtime/address_space.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <utility>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

using hdm = cxl::hdm_decoders<2>;
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
constexpr addr_t bar_size = 4_MiB, comp_at = 1_MiB;
using bar2 = cxl::type2_component_bar<
    bar_size, comp_at, component, cxl::kernel_geometry::v4, 4_KiB,
    cxl::accel_window<"accel_lo", 0, comp_at + 0x1000>,
    cxl::accel_window<"accel_hi", comp_at + 0x2000, bar_size - comp_at - 0x2000>>;
constexpr addr_t hdm_lo = bar2::hdm_lo;

/// The same rules by hand: two device decoders, RsvdP low bits, programming frozen while
/// committed, Lock-On-Commit sticky, the commit checks of cxl/hdm_decoder.hpp (one way here:
/// IW and IG other than 0 refused, as this block advertises no interleave the sequences use).
struct hand_hdm {
  struct decoder {
    std::uint32_t base_lo = 0, base_hi = 0, size_lo = 0, size_hi = 0, ctrl = 0, skip_lo = 0,
                  skip_hi = 0;
  };
  std::uint32_t global = 0;
  std::array<decoder, 2> d{};
  std::uint64_t dpa_capacity = 1_GiB;

  static std::uint64_t u64(std::uint32_t hi, std::uint32_t lo) {
    return (std::uint64_t{hi} << 32) | lo;
  }
  bool valid(unsigned n) const {
    const decoder& x = d[n];
    const std::uint64_t base = u64(x.base_hi, x.base_lo), size = u64(x.size_hi, x.size_lo);
    if (size == 0) return false;
    for (unsigned m = 0; m < n; ++m)
      if (!(d[m].ctrl & 0x400)) return false;
    if (base + (size - 1) < base) return false;
    for (unsigned m = 0; m < 2; ++m) {
      if (m == n || !(d[m].ctrl & 0x400)) continue;
      const std::uint64_t ob = u64(d[m].base_hi, d[m].base_lo),
                          os = u64(d[m].size_hi, d[m].size_lo);
      if (base <= ob + (os - 1) && ob <= base + (size - 1)) return false;
    }
    if ((x.ctrl & 0xFF) != 0) return false;  // IG 0, IW 0 only
    std::uint64_t dpa = 0;
    for (unsigned m = 0; m <= n; ++m) {
      dpa += u64(d[m].skip_hi, d[m].skip_lo);
      if (m != n) dpa += u64(d[m].size_hi, d[m].size_lo);
    }
    return dpa <= dpa_capacity && dpa_capacity - dpa >= size;
  }
  // Returns false for an access the BAR would not route here.
  bool write(addr_t bar_off, unsigned size, std::uint32_t v) {
    if (bar_off < hdm_lo || bar_off >= hdm_lo + 0x50 || size != 4 || bar_off % 4 != 0) return false;
    const addr_t off = bar_off - hdm_lo;
    if (off == 0x4) {
      global = v & 0x2;
      return true;
    }
    if (off < 0x10) return true;
    decoder& x = d[(off - 0x10) / 0x20];
    const unsigned n = static_cast<unsigned>((off - 0x10) / 0x20);
    const bool frozen = (x.ctrl & 0x400) != 0;
    switch ((off - 0x10) % 0x20) {
      case 0x0:
        if (!frozen) x.base_lo = v & 0xF000'0000U;
        break;
      case 0x4:
        if (!frozen) x.base_hi = v;
        break;
      case 0x8:
        if (!frozen) x.size_lo = v & 0xF000'0000U;
        break;
      case 0xC:
        if (!frozen) x.size_hi = v;
        break;
      case 0x14:
        if (!frozen) x.skip_lo = v & 0xF000'0000U;
        break;
      case 0x18:
        if (!frozen) x.skip_hi = v;
        break;
      case 0x10: {
        if (frozen && (x.ctrl & 0x100)) break;
        const std::uint32_t old = x.ctrl;
        std::uint32_t now =
            frozen ? (old & ~0x200U) | (v & 0x200U) : (old & 0xC00U) | (v & 0x13FFU);
        if ((now ^ old) & 0x200) {
          now &= ~0xC00U;
          x.ctrl = now;
          if (now & 0x200) now |= valid(n) ? 0x400U : 0x800U;
        }
        x.ctrl = now;
        break;
      }
      default: break;
    }
    return true;
  }
  std::uint32_t read(addr_t bar_off) const {
    const addr_t off = bar_off - hdm_lo;
    const decoder& x = d[(off - 0x10) / 0x20];
    switch ((off - 0x10) % 0x20) {
      case 0x0: return x.base_lo;
      case 0x4: return x.base_hi;
      case 0x8: return x.size_lo;
      case 0xC: return x.size_hi;
      case 0x10: return x.ctrl;
      case 0x14: return x.skip_lo;
      default: return x.skip_hi;
    }
  }
};

struct mmiotree_bar {
  std::vector<std::byte> accel = std::vector<std::byte>(bar_size);
  struct ops_t {
    std::uint64_t read(addr_t, unsigned) { return 0xFFFF'FFFF; }
    void write(addr_t, unsigned, std::uint64_t) {}
  } ops;
  hdm decoders{1_GiB};
  address_space<bar2> space;
  mmiotree_bar() {
    if (space.bind<"accel_lo">(accel) != bind_status::ok ||
        space.bind<"accel_hi">(std::span(accel).subspan(comp_at + 0x2000)) != bind_status::ok ||
        space.bind<"bar_ops">(ops) != bind_status::ok ||
        space.bind<bar2::hdm_path>(decoders.regs()) != bind_status::ok)
      std::abort();
  }
};

/// The same BAR with the hand emulation as an io region where the decoder block is: the same
/// dispatch, so that the difference to mmiotree is the register layer alone.
using bar2_hand =
    container<"bar", bar_size, at<0, io<"bar_ops", bar_size>, -1>,
              at<0, passthrough<"accel_lo", comp_at + 0x1000>>,
              at<comp_at + 0x2000, passthrough<"accel_hi", bar_size - comp_at - 0x2000>>,
              at<hdm_lo, io<"hdm", 0x50, access::exactly<4>>, 1>>;
struct hand_handler {
  hand_hdm h;
  std::uint64_t read(addr_t off, unsigned) { return h.read(hdm_lo + off); }
  void write(addr_t off, unsigned size, std::uint64_t v) {
    (void)h.write(hdm_lo + off, size, static_cast<std::uint32_t>(v));
  }
};
struct hand_bar {
  std::vector<std::byte> accel = std::vector<std::byte>(bar_size);
  mmiotree_bar::ops_t ops;
  hand_handler hdm;
  address_space<bar2_hand> space;
  hand_bar() {
    if (space.bind<"accel_lo">(accel) != bind_status::ok ||
        space.bind<"accel_hi">(std::span(accel).subspan(comp_at + 0x2000)) != bind_status::ok ||
        space.bind<"bar_ops">(ops) != bind_status::ok || space.bind<"hdm">(hdm) != bind_status::ok)
      std::abort();
  }
};

// Decoder 0's base, size and skip registers, with values that stay legal.
constexpr std::array<std::pair<addr_t, std::uint32_t>, 8> writes{{{hdm_lo + 0x10, 0x1000'0000},
                                                                  {hdm_lo + 0x14, 0x1},
                                                                  {hdm_lo + 0x18, 0x4000'0000},
                                                                  {hdm_lo + 0x1C, 0x0},
                                                                  {hdm_lo + 0x24, 0x0},
                                                                  {hdm_lo + 0x28, 0x0},
                                                                  {hdm_lo + 0x14, 0x2},
                                                                  {hdm_lo + 0x10, 0x2000'0000}}};
// cxl_decoder_commit then cxl_decoder_reset (reference cxl.md §2.5).
constexpr addr_t d0 = hdm_lo + 0x10;
constexpr std::array<std::pair<addr_t, std::uint32_t>, 12> commit_seq{{{d0 + 0x4, 0x100},
                                                                       {d0 + 0x0, 0},
                                                                       {d0 + 0xC, 0},
                                                                       {d0 + 0x8, 0x4000'0000},
                                                                       {d0 + 0x18, 0},
                                                                       {d0 + 0x14, 0},
                                                                       {d0 + 0x10, 0x200},
                                                                       {d0 + 0x10, 0x0},
                                                                       {d0 + 0xC, 0},
                                                                       {d0 + 0x8, 0},
                                                                       {d0 + 0x4, 0},
                                                                       {d0 + 0x0, 0}}};

/// Aborts unless the first `upto` writes of `seq` leave both emulations reading the same.
template <std::size_t N>
void check_same(const std::array<std::pair<addr_t, std::uint32_t>, N>& seq, std::size_t upto) {
  mmiotree_bar m;
  hand_hdm h;
  for (std::size_t k = 0; k < upto; ++k) {
    if (m.space.write(seq[k].first, 4, seq[k].second) != access_status::ok ||
        !h.write(seq[k].first, 4, seq[k].second))
      std::abort();
  }
  for (addr_t off = d0; off < d0 + 0x1C; off += 4)
    if (m.space.read(off, 4).value != h.read(off)) {
      std::fprintf(stderr, "bench_cxl: hand emulation and mmiotree differ at %#llx\n",
                   static_cast<unsigned long long>(off));
      std::abort();
    }
}

void bm_write_mmiotree(benchmark::State& state) {
  mmiotree_bar m;
  std::size_t k = 0;
  for (auto _ : state) {
    const auto& [a, v] = writes[k++ % writes.size()];
    benchmark::DoNotOptimize(m.space.write(a, 4, v));
  }
}
void bm_write_hand(benchmark::State& state) {
  hand_hdm h;
  std::size_t k = 0;
  for (auto _ : state) {
    const auto& [a, v] = writes[k++ % writes.size()];
    benchmark::DoNotOptimize(h.write(a, 4, v));
  }
  benchmark::DoNotOptimize(h);
}
void bm_write_hand_in_space(benchmark::State& state) {
  hand_bar b;
  std::size_t k = 0;
  for (auto _ : state) {
    const auto& [a, v] = writes[k++ % writes.size()];
    benchmark::DoNotOptimize(b.space.write(a, 4, v));
  }
}
void bm_commit_hand_in_space(benchmark::State& state) {
  hand_bar b;
  for (auto _ : state)
    for (const auto& [a, v] : commit_seq) benchmark::DoNotOptimize(b.space.write(a, 4, v));
}
void bm_commit_mmiotree(benchmark::State& state) {
  mmiotree_bar m;
  for (auto _ : state)
    for (const auto& [a, v] : commit_seq) benchmark::DoNotOptimize(m.space.write(a, 4, v));
  if (m.decoders.window(0)) state.SkipWithError("decoder left committed");
}
void bm_commit_hand(benchmark::State& state) {
  hand_hdm h;
  for (auto _ : state)
    for (const auto& [a, v] : commit_seq) benchmark::DoNotOptimize(h.write(a, 4, v));
  benchmark::DoNotOptimize(h);
}

}  // namespace

int main(int argc, char** argv) {
  check_same(writes, writes.size());
  check_same(commit_seq, 7);  // decoder 0 committed
  check_same(commit_seq, commit_seq.size());
  benchmark::RegisterBenchmark("cxl/decoder_write/mmiotree", bm_write_mmiotree);
  benchmark::RegisterBenchmark("cxl/decoder_write/hand_in_space", bm_write_hand_in_space);
  benchmark::RegisterBenchmark("cxl/decoder_write/hand", bm_write_hand);
  benchmark::RegisterBenchmark("cxl/commit/mmiotree", bm_commit_mmiotree);
  benchmark::RegisterBenchmark("cxl/commit/hand_in_space", bm_commit_hand_in_space);
  benchmark::RegisterBenchmark("cxl/commit/hand", bm_commit_hand);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
