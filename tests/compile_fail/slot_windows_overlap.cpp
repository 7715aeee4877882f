// expect-error: mmiotree: two containers that hold slots overlap
// expect-error: slot_windows_overlap<.*\{"pci"\}, .*\{"cxl"\}, .*\{"\[0x88000000, 0x8fffffff\]"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::slot_windows_overlap<mmiotree::v0::fixed_string<3>\{"pci"\}, mmiotree::v0::fixed_string<3>\{"cxl"\}, mmiotree::v0::fixed_string<24>\{"\[0x88000000, 0x8fffffff\]"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::slot_windows_overlap<fixed_string<4UL - 1>\{"pci"\}, fixed_string<4UL - 1>\{"cxl"\}, fixed_string<24>\{"\[0x88000000, 0x8fffffff\]"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2, slots): the containers that hold slots (their windows) are disjoint, so a
// slot competes only with its own window's content. The CXL window was placed over the upper
// half of the PCI window.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using sys = container<"sys", 4_GiB,  //
                      at<0, passthrough<"ram", 1_GiB>>,
                      at<2_GiB, container<"pci", 256_MiB, slot<passthrough<"bar0", 64_KiB>>>>,
#ifdef MMIOTREE_CF_POSITIVE
                      at<3_GiB, container<"cxl", 256_MiB, slot<passthrough<"dpa", 64_MiB>>>>>;
#else
                      at<2_GiB + 128_MiB,
                         container<"cxl", 256_MiB, slot<passthrough<"dpa", 64_MiB>>>, 1>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<sys>;
