// cxl/component_block.hpp: the 64 KiB CXL component register block, with the CXL.cache/mem
// capability header array generated at compile time from the structures the component has.
//
//   using comp = cxl::component_block<
//       cxl::capability<cxl::cap_id::ras, 2, 0x80, stub<"ras", 0x58, stub_response::read_as_zero>>,
//       cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, cxl::hdm_decoders<2>::block>>;
//
// Layout (reference cxl.md §2.1-2.2): CXL.io registers at 0x0000-0x0FFF, the CXL.cache/mem
// primary range at 0x1000-0x1FFF. That range begins with the array: dword 0 is the CXL
// Capability Header (ID 1, version 1, cache/mem version 1, the number of entries in bits
// 31:24), dword i (1..N) names structure i (ID 15:0, version 19:16, and in 31:20 its offset from
// the start of the range). Each structure is placed at its declared offset in the range; a
// structure that overlaps the array or another, or leaves the 4 KiB range, does not compile
// (the layout checker's own rules name both regions and the bytes). All the array's fields are
// RO (HwInit); the range takes 4-byte accesses only (CXL r3.1 §8.2.2).
//
// 64-bit-only registers. CXL r3.1 §8.2.2 makes a 64-bit register "accessed as an 8-byte
// quantity; partial reads are not permitted" — the Link capability's registers (and those of the
// CPMU and CHMU register blocks) are such (reference cxl.md §7: the reason a dword-wise copy of
// the cache/mem range is wrong). `cxl::qword_only` is their access policy: whole, aligned 8-byte
// accesses reach the handler; a 1-, 2- or 4-byte or misaligned access is refused — never widened
// into an 8-byte read the guest did not make, never split into two 4-byte ones. A Link
// capability declared with any other policy does not compile.
#pragma once

#include <mmiotree/core/access.hpp>
#include <mmiotree/core/config.hpp>
#include <mmiotree/core/diag.hpp>
#include <mmiotree/core/fixed_string.hpp>
#include <mmiotree/core/units.hpp>
#include <mmiotree/regs/block.hpp>
#include <mmiotree/regs/field.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

MMIOTREE_BEGIN_NAMESPACE

namespace cxl {

using namespace mmiotree::literals;

/// Capability IDs of CXL.cache/mem structures (reference cxl.md §2.3).
namespace cap_id {
inline constexpr std::uint16_t capability = 0x0001;  ///< the array header
inline constexpr std::uint16_t ras = 0x0002;
inline constexpr std::uint16_t link = 0x0004;
inline constexpr std::uint16_t hdm_decoder = 0x0005;
}  // namespace cap_id

inline constexpr addr_t component_block_size = 64_KiB;
inline constexpr addr_t cachemem_offset = 0x1000;  ///< of the CXL.cache/mem range in the block
inline constexpr addr_t cachemem_size = 4_KiB;

/// The access policy of 64-bit-only registers: exactly 8 bytes, naturally aligned, no
/// straddling — neither split nor widened. Re-entry refused, as every device region here.
inline constexpr access_policy qword_only = access::refuse_reentry(access::exactly<8>);

/// Whether the structure with capability ID `id` has 64-bit-only registers (the Link
/// capability; CXL r3.1 §8.2.2).
[[nodiscard]] constexpr bool has_qword_registers(std::uint16_t id) noexcept {
  return id == cap_id::link;
}

/// A structure of 64-bit-only registers forwarded whole to a handler — for a passed-through
/// device, the BAR's pread/pwrite, which then reads the hardware as one 8-byte quantity:
/// `capability<cap_id::link, 2, 0xD8, qword_structure<"link", 0x38>>`. `Size`: a multiple of 8.
template <fixed_string Name, addr_t Size>
using qword_structure = io<Name, Size, qword_only>;

namespace diag {
template <std::uint16_t Id>
struct capability_registers_are_64_bit_only {
  static_assert(mmiotree::diag::always_false_v<Id>,
                "mmiotree: this CXL capability structure's registers are 64-bit only, to be "
                "accessed as one 8-byte quantity with no partial read (CXL r3.1 8.2.2): in "
                "capability_registers_are_64_bit_only<Id>, declare its region with the access "
                "policy cxl::qword_only (cxl::qword_structure<Name, Size>)");
};
}  // namespace diag

namespace detail {
template <std::uint16_t Id, class Region>
consteval bool check_capability() {
  if constexpr (has_qword_registers(Id) && !(Region::policy == qword_only))
    (void)&mmiotree::diag::emit<diag::capability_registers_are_64_bit_only<Id>>;
  return true;
}
}  // namespace detail

/// One CXL.cache/mem capability structure: its ID and version, its offset in the
/// CXL.cache/mem range, and the region that implements it (an HDM decoder block, a stub, ...).
/// A structure whose registers are 64-bit only needs a `qword_only` region.
template <std::uint16_t Id, std::uint8_t Version, addr_t Offset, region Region>
struct capability {
  static constexpr std::uint16_t id = Id;
  static constexpr std::uint8_t version = Version;
  static constexpr addr_t offset = Offset;
  using type = std::conditional_t<detail::check_capability<Id, Region>(), Region, void>;
};

namespace detail {
using namespace mmiotree::field_kinds;

/// "entry<I>": the name of array dword I.
template <std::size_t I>
inline constexpr auto entry_name = [] {
  constexpr std::size_t digits = I < 10 ? 1 : (I < 100 ? 2 : 3);
  fixed_string<5 + digits> f{};
  const char* e = "entry";
  for (std::size_t k = 0; k < 5; ++k) f.value[k] = e[k];
  std::size_t v = I;
  for (std::size_t k = 5 + digits; k-- > 5; v /= 10) f.value[k] = static_cast<char>('0' + v % 10);
  return f;
}();

/// Array dword I (1-based) for structure C. Its pointer field holds 12 bits; a structure
/// outside the 4 KiB range fails the layout check before the value could be cut.
template <std::size_t I, class C>
using entry_reg = reg<entry_name<I>, 4 * I, 32,
                      std::uint64_t{C::id} | (std::uint64_t{C::version & 0xFU} << 16) |
                          ((std::uint64_t{C::offset} & 0xFFFU) << 20),
                      field<"id", 15, 0, hwinit>, field<"version", 19, 16, hwinit>,
                      field<"pointer", 31, 20, hwinit>>;

template <class Seq, class... Caps>
struct array_block;
template <std::size_t... I, class... Caps>
struct array_block<std::index_sequence<I...>, Caps...> {
  using type = register_block<
      "capability_array", 4 * (1 + sizeof...(Caps)), access::refuse_reentry(access::exactly<4>),
      reg<"header", 0x0, 32,
          std::uint64_t{cap_id::capability} | (std::uint64_t{1} << 16) | (std::uint64_t{1} << 20) |
              (std::uint64_t{sizeof...(Caps)} << 24),
          field<"id", 15, 0, hwinit>, field<"version", 19, 16, hwinit>,
          field<"cache_mem_version", 23, 20, hwinit>, field<"array_size", 31, 24, hwinit>>,
      entry_reg<I + 1, Caps>...>;
};
}  // namespace detail

/// The CXL.cache/mem capability header array of the structures `Caps` (in that order): a
/// read-only register block of 4 × (1 + N) bytes.
template <class... Caps>
struct capability_array
    : detail::array_block<std::make_index_sequence<sizeof...(Caps)>, Caps...>::type {};

/// The CXL.cache/mem primary range (4 KiB): the array at 0, each structure at its offset.
template <class... Caps>
using cachemem_range = container<"cachemem", cachemem_size, at<0, capability_array<Caps...>>,
                                 at<Caps::offset, typename Caps::type>...>;

namespace detail {
template <std::uint16_t Id, class... Caps>
struct find_capability {
  using type = void;
};
template <std::uint16_t Id, class C, class... Rest>
struct find_capability<Id, C, Rest...> {
  using type = std::conditional_t<C::id == Id, C, typename find_capability<Id, Rest...>::type>;
};
}  // namespace detail

/// The 64 KiB component register block: the CXL.cache/mem range at 0x1000. The other ranges
/// (CXL.io registers at 0, implementation-specific, ARB/MUX) are left to whatever the block is
/// placed over — in a passed-through BAR, the BAR's trapped background.
template <class... Caps>
struct component_block
    : container<"component", component_block_size, at<cachemem_offset, cachemem_range<Caps...>>> {
  using capabilities = mmiotree::detail::type_list<Caps...>;
  using cachemem = cachemem_range<Caps...>;
  /// The capability array's register block: bind a `register_file<array>` (no hooks; every
  /// field is HwInit) at ".../cachemem/capability_array".
  using array = capability_array<Caps...>;
  /// The capability structure with ID `Id` (`void` if the component has none).
  template <std::uint16_t Id>
  using find = typename detail::find_capability<Id, Caps...>::type;
};

}  // namespace cxl

MMIOTREE_END_NAMESPACE
