// regs/access_kind.hpp: field access kinds (PCIe/CXL and SystemRDL vocabulary) and what a
// guest access does to a field of each kind.
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstdint>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

/// How a guest access treats a field. Device code (`register_state::set`) writes any field;
/// these rules apply to guest reads and writes through `register_file`.
enum class field_access : std::uint8_t {
  ro,      ///< read-only: writes are ignored
  hwinit,  ///< hardware-initialised: read-only to the guest, set by the device (e.g. at reset)
  rw,      ///< read-write
  rwl,     ///< read-write until its lock holds, then read-only (HDM BASE/SIZE/CTRL)
  rwo,     ///< write-once: the first guest write after reset sticks, later ones are ignored;
           ///< a write uses it up only in the bytes it writes (register_file)
  rw1c,    ///< write 1 to clear: bits written as 1 clear, bits written as 0 keep
  rw1s,    ///< write 1 to set: bits written as 1 set, bits written as 0 keep
  rc,      ///< clear on read: a guest read returns the value then clears the bits of the
           ///< bytes it read; writes ignored
  rsvdp,   ///< reserved, preserved: reads return the stored value, writes keep it
  rsvdz,   ///< reserved, zero: reads 0, writes ignored
  wo,      ///< write-only: writes store, reads return 0
};

[[nodiscard]] constexpr std::string_view to_string(field_access a) noexcept {
  switch (a) {
    case field_access::ro: return "RO";
    case field_access::hwinit: return "HwInit";
    case field_access::rw: return "RW";
    case field_access::rwl: return "RWL";
    case field_access::rwo: return "RWO";
    case field_access::rw1c: return "RW1C";
    case field_access::rw1s: return "RW1S";
    case field_access::rc: return "RC";
    case field_access::rsvdp: return "RsvdP";
    case field_access::rsvdz: return "RsvdZ";
    case field_access::wo: return "WO";
  }
  return "?";
}

/// Reserved kinds: bits of a reset value may lie in them without being "outside all fields".
[[nodiscard]] constexpr bool is_reserved(field_access a) noexcept {
  return a == field_access::rsvdp || a == field_access::rsvdz;
}

/// Short names for declarations: `using namespace mmiotree::field_kinds;` then
/// `field<"commit", 9, 9, rwl>`.
namespace field_kinds {
inline constexpr field_access ro = field_access::ro;
inline constexpr field_access hwinit = field_access::hwinit;
inline constexpr field_access rw = field_access::rw;
inline constexpr field_access rwl = field_access::rwl;
inline constexpr field_access rwo = field_access::rwo;
inline constexpr field_access rw1c = field_access::rw1c;
inline constexpr field_access rw1s = field_access::rw1s;
inline constexpr field_access rc = field_access::rc;
inline constexpr field_access rsvdp = field_access::rsvdp;
inline constexpr field_access rsvdz = field_access::rsvdz;
inline constexpr field_access wo = field_access::wo;
}  // namespace field_kinds

MMIOTREE_END_NAMESPACE
