// expect-error: mmiotree: a capability starts on a dword
// expect-error-gnu: In instantiation of .struct mmiotree::v0::pci::diag::capability_misaligned<mmiotree::v0::fixed_string<4>\{"pcie"\}, mmiotree::v0::fixed_string<4>\{"0x42"\}>
// expect-error-clang: in instantiation of template class .mmiotree::pci::diag::capability_misaligned<fixed_string<5UL - 1>\{"pcie"\}, fixed_string<5UL - 1>\{"0x42"\}>
// max-lines-gnu: 18
// max-lines-clang: 36
//
// Rule (pci/config_space.hpp): capability pointers have their low two bits reserved, so a
// capability starts on a dword; 0x42 does not.
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using f = pci::function<pci::ids{}, pci::bars<>,
                        pci::caps<pci::at_offset<0x44, pci::express_capability<>>>>;
#else
using f = pci::function<pci::ids{}, pci::bars<>,
                        pci::caps<pci::at_offset<0x42, pci::express_capability<>>>>;
#endif
inline constexpr std::size_t config_bytes = f::config::size;
