// expect-error: mmiotree: a PCI BAR's size is a power of two
// expect-error-gnu: In instantiation of .struct mmiotree::v0::pci::diag::bar_size_not_a_power_of_two<2, mmiotree::v0::fixed_string<6>\{"0xc000"\}>
// expect-error-clang: in instantiation of template class .mmiotree::pci::diag::bar_size_not_a_power_of_two<2, fixed_string<7UL - 1>\{"0xc000"\}>
// max-lines-gnu: 18
// max-lines-clang: 33
//
// Rule (pci/config_space.hpp): BAR sizing reads back a mask of the bits at and above log2(size),
// so a BAR's size is a power of two; 48 KiB is not.
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using f = pci::function<pci::ids{}, pci::bars<pci::mem32<2, 64_KiB>>>;
#else
using f = pci::function<pci::ids{}, pci::bars<pci::mem32<2, 48_KiB>>>;
#endif
inline constexpr std::size_t config_bytes = f::config::size;
