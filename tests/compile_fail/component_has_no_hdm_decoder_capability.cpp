// expect-error: mmiotree: a Type-2 component-register BAR needs the HDM decoders
// expect-error-gnu: In instantiation of .struct mmiotree::v0::cxl::diag::component_has_no_hdm_decoder_capability<
// expect-error-clang: in instantiation of template class .mmiotree::cxl::diag::component_has_no_hdm_decoder_capability<
// max-lines-gnu: 14
// max-lines-clang: 38
//
// Rule (cxl/type2_bar.hpp): the overlay is the HDM decoder block; a component without the HDM
// Decoder Capability (ID 5) gives it nothing to emulate. Here it was declared with ID 2 (RAS).
#include <mmiotree/cxl/component_block.hpp>
#include <mmiotree/cxl/hdm_decoder.hpp>
#include <mmiotree/cxl/type2_bar.hpp>
#include <mmiotree/layout/flat_view.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;
using hdm = cxl::hdm_decoders<2>;
#ifdef MMIOTREE_CF_POSITIVE
using component =
    cxl::component_block<cxl::capability<cxl::cap_id::hdm_decoder, 1, 0x128, hdm::block>>;
#else
using component = cxl::component_block<cxl::capability<cxl::cap_id::ras, 1, 0x128, hdm::block>>;
#endif
using bar = cxl::type2_component_bar<4_MiB, 1_MiB, component, cxl::kernel_geometry::v2, 4_KiB,
                                     cxl::accel_window<"accel0", 0, 1_MiB>>;
inline constexpr std::size_t ranges = flat_view_v<bar>.size();
