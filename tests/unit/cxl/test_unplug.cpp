// Unplugging a Type-2 device without a transient (issue 10, point 13). The RFC removes the
// COMP_REGS overlay before the BAR's own teardown, so for a moment the decoder registers fall
// through to the BAR's trapped background. Here the overlay is part of the BAR's type: the BAR
// slot (with its overlay) and the device-memory slot leave in one transaction, heard as one set
// of listener events, and readers racing the unplug see the decoders or nothing — never the
// background. Runs under ThreadSanitizer too (label concurrency).
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {
using hdm = cxl::hdm_decoders<1>;
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
constexpr addr_t bar_size = 4_MiB, comp_at = 1_MiB;
using bar2 = cxl::type2_component_bar<
    bar_size, comp_at, component, cxl::kernel_geometry::v4, 4_KiB,
    cxl::accel_window<"accel_lo", 0, comp_at + 0x1000>,
    cxl::accel_window<"accel_hi", comp_at + 0x2000, bar_size - comp_at - 0x2000>>;
using dev_mem = container<"dev_mem", 16_MiB, at<0, passthrough<"dpa", 16_MiB>>>;
constexpr addr_t pci64 = 0x80'0000'0000, cfmws = 0x100'0000'0000;
struct machine
    : container<"machine", 0x200'0000'0000, at<pci64, container<"pci64", 1_GiB, slot<bar2>>>,
                at<cfmws, container<"cfmws", 1_GiB, slot<dev_mem>>>> {};

constexpr std::uint64_t background = 0xBADB'ADBA;
struct bar_ops {
  std::uint64_t read(addr_t, unsigned) { return background; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

struct frames final : map_listener {
  int begins = 0, ends = 0, dels = 0, adds = 0;
  void changes_begin() override { ++begins; }
  void changes_end() override { ++ends; }
  void region_del(const map_event&) override { ++dels; }
  void region_add(const map_event&) override { ++adds; }
};

struct device {
  std::vector<std::byte> accel = std::vector<std::byte>(bar_size);
  std::unique_ptr<std::byte[]> dpa = std::make_unique<std::byte[]>(16_MiB);
  bar_ops ops;
  hdm decoders{16_MiB};
};

void plug(address_space<machine>& as, device& d) {
  slot_ref<bar2> bar = as.slot<bar2, "pci64/bar">();
  REQUIRE(bar.bind<"accel_lo">(d.accel) == bind_status::ok);
  REQUIRE(bar.bind<"accel_hi">(std::span(d.accel).subspan(comp_at + 0x2000)) == bind_status::ok);
  REQUIRE(bar.bind<"bar_ops">(d.ops) == bind_status::ok);
  REQUIRE(bar.bind<bar2::hdm_path>(d.decoders.regs()) == bind_status::ok);
  slot_ref<dev_mem> mem = as.slot<dev_mem, "cfmws/dev_mem">();
  REQUIRE(mem.bind<"dpa">(std::span<std::byte>(d.dpa.get(), 16_MiB)) == bind_status::ok);
  REQUIRE(as.transaction().place(bar, pci64).place(mem, cfmws).commit().ok());
}
}  // namespace

TEST_CASE("unplug: the BAR with its overlay and the device memory leave in one commit",
          "[cxl][unplug]") {
  address_space<machine> as;
  device d;
  plug(as, d);
  frames f;
  REQUIRE(as.add_listener(f).ok());
  f = {};
  const addr_t hdm_cap = pci64 + bar2::hdm_lo;
  REQUIRE(as.read(hdm_cap, 4) == read_result{0x110, access_status::ok});
  REQUIRE(as.read(hdm_cap - 8, 4).value == background);  // the page's other bytes
  REQUIRE(as.transaction()
              .disable(as.slot<"pci64/bar">())
              .disable(as.slot<"cfmws/dev_mem">())
              .commit()
              .ok());
  CHECK(f.begins == 1);
  CHECK(f.ends == 1);
  CHECK(f.adds == 0);
  // Every range of both, in one frame: accel_lo, the BAR ops below the decoders, the decoders,
  // the BAR ops above them, accel_hi, and the device memory.
  CHECK(f.dels == 6);
  CHECK(as.read(hdm_cap, 4).status == access_status::decode_error);
  CHECK(as.read(cfmws, 4).status == access_status::decode_error);
}

TEST_CASE("readers racing an unplug see the decoders or nothing, never the background",
          "[cxl][unplug][concurrency]") {
  address_space<machine> as;
  device d;
  plug(as, d);
  const addr_t hdm_cap = pci64 + bar2::hdm_lo;
  std::atomic<bool> stop{false}, writing{true};
  std::atomic<long> fell_through{0}, odd{0}, reads_during{0};
  auto reader = [&] {
    auto me = as.enroll_reader();
    while (!stop.load(std::memory_order_relaxed)) {
      const read_result r = as.read(hdm_cap, 4);
      if (r.ok() && r.value == background) fell_through.fetch_add(1);
      if (r.ok() && r.value != 0x110) odd.fetch_add(1);
      if (!r.ok() && r.status != access_status::decode_error) odd.fetch_add(1);
      if (writing.load(std::memory_order_relaxed)) reads_during.fetch_add(1);
      me.quiescent();
    }
  };
  std::thread t1(reader), t2(reader);
  // At least 300 unplug/replug commits, and on until the readers have raced them 1,000 times
  // (however the machine schedules the threads: no time limit).
  for (int round = 0; round < 300 || reads_during.load() < 1000; ++round) {
    const bool on = round % 2 == 0;
    REQUIRE(as.transaction()
                .enable(as.slot<"pci64/bar">(), !on)
                .enable(as.slot<"cfmws/dev_mem">(), !on)
                .commit()
                .ok());
    std::this_thread::yield();
  }
  writing = false;
  stop = true;
  t1.join();
  t2.join();
  CHECK(reads_during.load() >= 1000);
  CHECK(fell_through.load() == 0);
  CHECK(odd.load() == 0);
}
