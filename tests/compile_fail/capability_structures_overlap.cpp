// expect-error: mmiotree: sibling regions overlap at equal priority
// expect-error: siblings_overlap_at_equal_priority<.*\{"cachemem/ras"\}, .*\{"cachemem/hdm_decoders"\}, .*\{"\[0x1128, 0x1157\]"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (layout checker, through cxl/component_block.hpp): two capability structures of the
// CXL.cache/mem range overlap. RAS (0x58 bytes) at 0x100 runs into the HDM block at 0x128; the
// message names both (paths from the root, its own name left out) and the contested bytes,
// relative to the component block: 0x1128-0x1157.
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/layout/flat_view.hpp>

using namespace mmiotree;
using hdm = cxl::hdm_decoders<2>;
#ifdef MMIOTREE_CF_POSITIVE
constexpr addr_t ras_at = 0x80;
#else
constexpr addr_t ras_at = 0x100;
#endif
using component = cxl::component_block<
    cxl::capability<cxl::cap_id::ras, 2, ras_at, stub<"ras", 0x58, stub_response::read_as_zero>>,
    cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
inline constexpr std::size_t ranges = flat_view_v<component>.size();
