// expect-error: mmiotree: this CXL capability structure's registers are 64-bit only
// expect-error: capability_registers_are_64_bit_only<4>
// max-lines-gnu: 15
// max-lines-clang: 41
//
// Rule (cxl/component_block.hpp): the Link capability's registers are 64-bit only — one 8-byte
// access, no partial read (CXL r3.1 §8.2.2). Declared as an io region taking any size, a guest's
// 4-byte read would reach the device as a partial read; cxl::qword_structure refuses it.
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/layout/flat_view.hpp>

using namespace mmiotree;
using hdm = cxl::hdm_decoders<2>;
#ifdef MMIOTREE_CF_POSITIVE
using link = cxl::qword_structure<"link", 0x38>;
#else
using link = io<"link", 0x38>;
#endif
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::link, 2, 0xD8, link>,
                         cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
inline constexpr std::size_t ranges = flat_view_v<component>.size();
