// A passed-through CXL Type-2 device under several vCPUs (issue 14, point 5): guest accesses on
// two threads while the VMM's thread moves BAR 2 through the function's BAR registers, commits
// and de-commits HDM decoder 0 through the guest's register protocol (mapping and unmapping the
// device memory in the CFMWS window), and resets the function and the decoders. Also run under
// ThreadSanitizer (label concurrency).
//
// What the vCPUs do and what each access may return:
//   - a 4-byte read in the accelerator window at each of BAR 2's two bases: the accelerator's
//     bytes there, or decode_error (no BAR there now) — nothing else;
//   - an 8-byte read straddling the window's end into the BAR's trapped background, at both
//     bases: the window's 4 bytes and the background's 4 together, or decode_error — never one
//     piece from before a move and the other from after (a mixture);
//   - its own word of device memory through the CFMWS window: an increasing sequence written,
//     then read back. A write is ok or decode_error (decoder not committed); a read that is ok
//     returns the last value this vCPU wrote successfully (device memory keeps it while
//     unmapped) — an older one would be a lost write.
// A straddling access planned against two maps is caught where the maps can both answer it with
// different content — test_concurrency.cpp's slots are laid out for that (mutant
// concurrency-plan-not-in-one-section); here a BAR is either where an access looks or not, so
// this test checks that every ok answer is the one a single map gives, and ThreadSanitizer
// checks the device code's synchronisation.
// The register state the VMM thread writes (configuration space, decoder registers) is not read
// by the vCPUs: a device's registers are serialised by the device (here: one writer thread), the
// map by the space. At the end the device's registers and the map agree.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>

#include "device_rig.hpp"

using namespace mmiotree;
using namespace mmiotree::literals;
using namespace device_rig;

namespace {
constexpr addr_t base_a = pci64 + 16_MiB, base_b = pci64 + 64_MiB;  // BAR 2's two places
constexpr addr_t bar0_at = pci64;
constexpr addr_t in_window = 0x100;               // in accel_lo
constexpr addr_t window_end = comp_at + 0x1000;   // accel_lo's end: the background follows
static_assert(bar2_t::hdm_lo >= window_end + 8);  // the straddling read stays off the decoders
constexpr std::uint64_t background = 0x5A5A;      // regs_handler's answer

std::uint32_t accel_word(const rig& r, addr_t off) {
  std::uint32_t v;
  std::memcpy(&v, r.accel.data() + off, 4);
  return v;
}
}  // namespace

TEST_CASE("vCPUs access the device while the VMM moves its BAR, commits decoders and resets it",
          "[cxl][pci][concurrency]") {
  rig r;
  for (std::size_t i = 0; i < r.accel.size(); ++i) r.accel[i] = std::byte((i * 7 + 3) & 0xFF);
  std::memset(r.dpa.get(), 0, 4_KiB);
  r.program_bars(bar0_at, base_a);
  const std::uint32_t at_window = accel_word(r, in_window);
  const std::uint64_t straddled = std::uint64_t{accel_word(r, window_end - 4)} | (background << 32);

  std::atomic<bool> stop{false}, racing{true};
  std::atomic<long> anomalies{0}, lost_writes{0}, reads_during{0}, mapped_reads{0};
  auto vcpu = [&](unsigned k) {
    auto me = r.space.enroll_reader();
    const addr_t word = cfmws + 8 * k;
    std::uint64_t seq = 0, last_written = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      for (const addr_t base : {base_a, base_b}) {
        const read_result w = r.space.read(base + in_window, 4);
        if (!(w == read_result{at_window, access_status::ok} ||
              w.status == access_status::decode_error))
          anomalies.fetch_add(1);
        const read_result s = r.space.read(base + window_end - 4, 8);
        if (!(s == read_result{straddled, access_status::ok} ||
              s.status == access_status::decode_error))
          anomalies.fetch_add(1);
      }
      const access_status ws = r.space.write(word, 8, ++seq);
      if (ws == access_status::ok)
        last_written = seq;
      else if (ws != access_status::decode_error)
        anomalies.fetch_add(1);
      const read_result m = r.space.read(word, 8);
      if (m.ok()) {
        mapped_reads.fetch_add(1);
        if (m.value != last_written) lost_writes.fetch_add(1);
      } else if (m.status != access_status::decode_error) {
        anomalies.fetch_add(1);
      }
      if (racing.load(std::memory_order_relaxed)) reads_during.fetch_add(1);
      me.quiescent();
    }
  };
  std::thread t0(vcpu, 0U), t1(vcpu, 1U);

  // The VMM thread: at least 400 steps, and on until the vCPUs have raced them 2,000 times.
  for (int step = 0; step < 400 || reads_during.load() < 2000; ++step) {
    switch (step % 5) {
      case 0: r.program_bars(bar0_at, step % 10 == 0 ? base_b : base_a); break;
      case 1: r.commit(0, cfmws, dpa_size); break;
      case 2: r.decommit(0); break;
      case 3: r.commit(0, cfmws, dpa_size); break;
      default:
        if (step % 15 == 4) {  // a reset: BARs and decoders gone; the guest sets them up again
          r.dev.reset();
          r.decoders.reset();
          r.program_bars(bar0_at, base_a);
        }
        break;
    }
    std::this_thread::yield();
  }
  racing = false;
  stop = true;
  t0.join();
  t1.join();
  CHECK(reads_during.load() >= 2000);
  CHECK(mapped_reads.load() > 0);  // device memory was reached while it was mapped
  CHECK(anomalies.load() == 0);
  CHECK(lost_writes.load() == 0);

  // The device's registers and the map agree: BAR 2 where its registers say, device memory
  // mapped exactly while decoder 0 is committed.
  r.program_bars(bar0_at, base_b);
  CHECK(r.space.placement<"pci64/bar">() == slot_placement{base_b, true, true});
  r.commit(0, cfmws, dpa_size);
  CHECK(r.space.placement<"cfmws/dev_mem">() == slot_placement{cfmws, true, true});
  CHECK(r.space.read(base_b + bar2_t::hdm_lo + 0x10 + 0x10, 4).value >> 10 == 1);  // committed
  r.decommit(0);
  CHECK_FALSE(r.space.placement<"cfmws/dev_mem">().enabled);
}
