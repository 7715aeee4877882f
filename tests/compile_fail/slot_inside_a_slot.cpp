// expect-error: mmiotree: a slot may not lie inside another slot
// expect-error: slot_inside_a_slot<.*\{"pci/dev/rom"\}, .*\{"pci/dev"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::slot_inside_a_slot<mmiotree::v0::fixed_string<11>\{"pci/dev/rom"\}, mmiotree::v0::fixed_string<7>\{"pci/dev"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::slot_inside_a_slot<fixed_string<11>\{"pci/dev/rom"\}, fixed_string<7>\{"pci/dev"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (DESIGN §2.2, slots): a slot moves as a whole at run time, so what it holds has fixed
// offsets in it: a slot inside a slot is refused. The device's ROM BAR is a slot of the PCI
// window already (its own slot), not a slot of the device.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using dev =
    container<"dev", 64_KiB, at<0, io<"regs", 4_KiB>>, at<32_KiB, passthrough<"rom", 16_KiB>>>;
#else
using dev = container<"dev", 64_KiB, at<0, io<"regs", 4_KiB>>, slot<passthrough<"rom", 16_KiB>>>;
#endif
using sys =
    container<"sys", 4_GiB,  //
              at<0, passthrough<"ram", 1_GiB>>, at<2_GiB, container<"pci", 256_MiB, slot<dev>>>>;

[[maybe_unused]] constexpr auto& view = flat_view_v<sys>;
