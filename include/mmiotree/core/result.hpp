// core/result.hpp: typed outcomes of guest accesses.
#pragma once

#include <mmiotree/core/config.hpp>

#include <cstdint>
#include <string_view>

MMIOTREE_BEGIN_NAMESPACE

/// Outcome of one guest access. Anything but `ok` means no handler saw a bad access: the
/// library refused it before dispatch (a read then yields the declared error value, a write
/// changes nothing).
enum class access_status : std::uint8_t {
  ok,            ///< the access was performed
  decode_error,  ///< no region decodes the address (a hole, or a decode-error stub)
  access_error,  ///< a region decodes it but its policy forbids it (size, alignment, straddle)
  unbound,       ///< the leaf has no host memory or handler bound yet
  reentered,     ///< the region refuses re-entry and its handler object is already running on
                 ///< this thread (`reentry::refuse`)
};

[[nodiscard]] constexpr std::string_view to_string(access_status s) noexcept {
  switch (s) {
    case access_status::ok: return "ok";
    case access_status::decode_error: return "decode_error";
    case access_status::access_error: return "access_error";
    case access_status::unbound: return "unbound";
    case access_status::reentered: return "reentered";
  }
  return "?";
}

/// Result of a guest read: the value (the declared error value when `status != ok`) and the
/// status. Kept to 16 bytes so it returns in registers.
struct read_result {
  std::uint64_t value;
  access_status status;

  [[nodiscard]] constexpr bool ok() const noexcept { return status == access_status::ok; }
  [[nodiscard]] constexpr bool operator==(const read_result&) const = default;
};

MMIOTREE_END_NAMESPACE
