// expect-error: mmiotree: two containers that hold slots overlap
// expect-error: slot_windows_overlap<.*\{"pci"\}, .*\{"pci"\}, .*\{"\[0x80000000, 0x8000ffff\]"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::slot_windows_overlap<mmiotree::v0::fixed_string<3>\{"pci"\}, mmiotree::v0::fixed_string<3>\{"pci"\}, mmiotree::v0::fixed_string<24>\{"\[0x80000000, 0x8000ffff\]"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::slot_windows_overlap<fixed_string<4UL - 1>\{"pci"\}, fixed_string<4UL - 1>\{"pci"\}, fixed_string<24>\{"\[0x80000000, 0x8000ffff\]"\}>
// max-lines-gnu: 15
// max-lines-clang: 27
//
// Rule (docs/diagnostics.md, two slot windows overlap): where the root shows a slot window — its
// own position, and each place an alias shows it — those places are disjoint, one window shown
// twice included. A mirror of the PCI window's first 64 KiB was placed over the window itself
// (at a higher priority, which does not make it legal); moved off it, the mirror is a second
// place where the window's slots are seen.
#include <mmiotree/layout/flat_view.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using sys = container<"sys", 4_GiB,  //
                      at<0, passthrough<"ram", 1_GiB>>,
                      at<2_GiB, container<"pci", 256_MiB, slot<passthrough<"bar0", 64_KiB>>>>,
#ifdef MMIOTREE_CF_POSITIVE
                      at<3_GiB, alias<"pci-mirror", 64_KiB, "pci">>>;
#else
                      at<2_GiB, alias<"pci-mirror", 64_KiB, "pci">, 1>>;
#endif

[[maybe_unused]] constexpr auto& view = flat_view_v<sys>;
