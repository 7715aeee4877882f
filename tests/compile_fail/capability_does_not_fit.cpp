// expect-error: mmiotree: a capability lies inside its list's range
// expect-error-gnu: In instantiation of .struct mmiotree::v0::pci::diag::capability_does_not_fit<mmiotree::v0::fixed_string<4>\{"pcie"\}, mmiotree::v0::fixed_string<4>\{"0xd0"\}, mmiotree::v0::fixed_string<4>\{"0x3c"\}, mmiotree::v0::fixed_string<4>\{"0xff"\}>
// expect-error-clang: in instantiation of template class .mmiotree::pci::diag::capability_does_not_fit<fixed_string<5UL - 1>\{"pcie"\}, fixed_string<5UL - 1>\{"0xd0"\}, fixed_string<5UL - 1>\{"0x3c"\}, fixed_string<5UL - 1>\{"0xff"\}>
// max-lines-gnu: 18
// max-lines-clang: 36
//
// Rule (pci/config_space.hpp): the standard capability list ends at 0xFF; the 0x3C-byte PCI Express
// capability at 0xD0 would end at 0x10B.
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using f = pci::function<pci::ids{}, pci::bars<>,
                        pci::caps<pci::at_offset<0xC0, pci::express_capability<>>>>;
#else
using f = pci::function<pci::ids{}, pci::bars<>,
                        pci::caps<pci::at_offset<0xD0, pci::express_capability<>>>>;
#endif
inline constexpr std::size_t config_bytes = f::config::size;
