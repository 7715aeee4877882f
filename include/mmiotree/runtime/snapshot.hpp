// runtime/snapshot.hpp: the snapshot format of an address space — what `address_space::save`
// writes and `restore` reads — and why a restore can refuse.
//
// All fields little-endian:
//   header (32 bytes)  magic "MMIOTSNP" · version u32 · sections u32 · layout fingerprint u64
//                      · total length u64
//   per slot (16)      base u64 (window-relative) · flags u64: bit 0 enabled, bit 1 placed
//                      (0 never placed, 2 placed and disabled, 3 placed and enabled)
//   per section        id u32 · length u32 · the handler's state, padded to 8 bytes; the id
//                      is the leaf bound to a stateful handler, or 2^31 | key for a state
//                      attached under `key` (dynamic_space::attach_state); leaves first, in
//                      leaf order, then attached states in key order
//   trailer (8)        FNV-1a of everything before it
// The fingerprint hashes the tree's descriptor and flat view (address_space::fingerprint), so
// a snapshot restores only into the layout it was taken from. Registered restore checks
// (runtime/restore_check.hpp) then judge the restored state as a whole.
#pragma once

#include <mmiotree/core/config.hpp>
#include <mmiotree/core/hash.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

/// Why `restore` refused a snapshot (nothing changed).
enum class restore_status : std::uint8_t {
  ok,
  truncated,            ///< shorter than its header says, or than a header
  bad_magic,            ///< not an mmiotree snapshot
  unsupported_version,  ///< written by a format version this build does not read
  wrong_layout,         ///< the layout fingerprint differs: another tree, or another version of it
  corrupt,              ///< the checksum does not match
  bad_slot,             ///< a slot placement that is malformed or would not commit
  bad_section,          ///< a section for no bound or attached stateful handler, or twice
  missing_section,      ///< a bound or attached stateful handler has no section
  state_rejected,       ///< a handler's validate_state refused its section
  inconsistent,         ///< a restore check refused the whole: device state and map disagree
};

[[nodiscard]] constexpr std::string_view to_string(restore_status s) noexcept {
  switch (s) {
    case restore_status::ok: return "ok";
    case restore_status::truncated: return "truncated";
    case restore_status::bad_magic: return "bad_magic";
    case restore_status::unsupported_version: return "unsupported_version";
    case restore_status::wrong_layout: return "wrong_layout";
    case restore_status::corrupt: return "corrupt";
    case restore_status::bad_slot: return "bad_slot";
    case restore_status::bad_section: return "bad_section";
    case restore_status::missing_section: return "missing_section";
    case restore_status::state_rejected: return "state_rejected";
    case restore_status::inconsistent: return "inconsistent";
  }
  return "?";
}

namespace detail::snapshot_format {
inline constexpr char magic[8] = {'M', 'M', 'I', 'O', 'T', 'S', 'N', 'P'};
/// The format version `save` writes and `restore` reads (no other).
inline constexpr std::uint32_t version = 2;
inline constexpr std::size_t header_bytes = 32;
inline constexpr std::size_t slot_bytes = 16;
inline constexpr std::size_t section_header_bytes = 8;
inline constexpr std::size_t trailer_bytes = 8;
/// Set in the id of a section that holds an attached state (the key is in the low 31 bits).
inline constexpr std::uint32_t attached_bit = 0x8000'0000;

[[nodiscard]] constexpr std::size_t pad8(std::size_t n) noexcept {
  return (n + 7) & ~std::size_t{7};
}

/// A slot's flags word.
[[nodiscard]] constexpr std::uint64_t slot_flags(bool enabled, bool placed) noexcept {
  return (enabled ? 1U : 0U) | (placed ? 2U : 0U);
}
/// Reads a slot's flags word; false for a word `slot_flags` never writes (unknown bits, or
/// enabled without placed).
[[nodiscard]] constexpr bool read_slot_flags(std::uint64_t w, bool& enabled,
                                             bool& placed) noexcept {
  if (w != 0 && w != 2 && w != 3) return false;
  enabled = w == 3;
  placed = w != 0;
  return true;
}

/// Little-endian field writer over an output buffer (the caller sized it).
struct writer {
  std::span<std::byte> out;
  std::size_t at = 0;
  void put(std::uint64_t v, unsigned bytes) noexcept {
    for (unsigned k = 0; k < bytes; ++k) out[at++] = static_cast<std::byte>(v >> (8 * k));
  }
};
/// Little-endian field reader (the caller checked the length).
struct reader {
  std::span<const std::byte> in;
  std::size_t at = 0;
  std::uint64_t get(unsigned bytes) noexcept {
    std::uint64_t v = 0;
    for (unsigned k = 0; k < bytes; ++k)
      v |= std::uint64_t(std::to_integer<std::uint8_t>(in[at++])) << (8 * k);
    return v;
  }
};

[[nodiscard]] inline std::uint64_t checksum(std::span<const std::byte> b) noexcept {
  fnv1a f;
  for (std::byte x : b) f.byte(std::to_integer<std::uint8_t>(x));
  return f.h;
}
/// The trailer of a blob of at least `trailer_bytes`.
[[nodiscard]] inline std::uint64_t stored_checksum(std::span<const std::byte> blob) noexcept {
  return reader{blob.subspan(blob.size() - trailer_bytes)}.get(8);
}
}  // namespace detail::snapshot_format

MMIOTREE_END_NAMESPACE
