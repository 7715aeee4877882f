// tests/fuzz/fuzz_snapshot.cpp: arbitrary blobs restored into a live address_space — the machine
// of tests/unit/runtime/snapshot_rig.hpp (a register block with a write-once field and a lock,
// host memory, two slots that can overlap at different priorities or tie with static content),
// with a listener registered, in a state of its own (one slot placed, registers written).
//
// Each blob is either refused — and then nothing changed: save() gives the state from before,
// the listener heard nothing, the map is the one it was — or accepted — and then it is restored
// exactly: save() gives the blob back, and the dispatcher and the listener show the map that
// the blob's two placements say, read from the blob's bytes at their documented offsets by
// check_map, not through the library.
//
// Input: byte 0, bit 0: recompute the trailing checksum first (so that the mutations reach the
// validation behind it, which a random edit almost never would otherwise); the rest is the blob.
// The seed corpus holds blobs save() wrote for several placements and register states.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "checks.hpp"  // before snapshot_rig.hpp: its REQUIRE, CHECK, INFO
#include "snapshot_rig.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace snapshot_rig;
  if (size == 0) return 0;
  std::vector<std::byte> b(size - 1);
  if (!b.empty()) std::memcpy(b.data(), data + 1, b.size());
  if ((data[0] & 1) != 0 && b.size() >= 8) reseal(b);

  rig<tree> r;
  REQUIRE(r.as.transaction().place_in_window<"pci/bar">(0x40000).commit().ok());
  r.as.write(0, 4, 0x43);
  const std::vector<std::byte> now = r.as.save();
  const int events = r.l.events;
  const restore_status st = r.as.restore(b);
  INFO("restore: " << to_string(st));
  if (st != restore_status::ok) {
    CHECK(r.as.save() == now);
    CHECK(r.l.events == events);
    check_map(r, {0x40000, true, true}, {0, false, false});
  } else {
    REQUIRE(b.size() == r.as.snapshot_size());
    CHECK(r.as.save() == b);
    check_map(r, {get_u64(b, bar_at), get_u64(b, bar_at + 8) == 3, get_u64(b, bar_at + 8) != 0},
              {get_u64(b, mmio_at), get_u64(b, mmio_at + 8) == 3, get_u64(b, mmio_at + 8) != 0});
  }
  return 0;
}
