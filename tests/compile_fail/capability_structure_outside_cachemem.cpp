// expect-error: mmiotree: a child region does not fit inside its parent
// expect-error: child_does_not_fit_in_parent<.*\{"cachemem/hdm_decoders"\}
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (layout checker, through cxl/component_block.hpp): a capability structure lies inside
// the 4 KiB CXL.cache/mem range, whose array pointers have 12 bits. Eight decoders (0x110
// bytes) at 0xF00 run past it.
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/layout/flat_view.hpp>

using namespace mmiotree;
using hdm = cxl::hdm_decoders<8>;
#ifdef MMIOTREE_CF_POSITIVE
constexpr addr_t hdm_at = 0xE00;
#else
constexpr addr_t hdm_at = 0xF00;
#endif
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::hdm_decoder, 1, hdm_at, hdm::block>>;
inline constexpr std::size_t ranges = flat_view_v<component>.size();
