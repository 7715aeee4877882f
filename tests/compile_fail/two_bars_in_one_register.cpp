// expect-error: mmiotree: each BAR register holds one BAR
// expect-error-gnu: In instantiation of .struct mmiotree::v0::pci::diag::two_bars_in_one_register<1, 0, 1>
// expect-error-clang: in instantiation of template class .mmiotree::pci::diag::two_bars_in_one_register<1, 0, 1>
// max-lines-gnu: 18
// max-lines-clang: 33
//
// Rule (pci/config_space.hpp): a 64-bit BAR at index 0 also takes register 1, where a 32-bit BAR
// is declared too.
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using f = pci::function<pci::ids{}, pci::bars<pci::mem64<0, 1_MiB>, pci::mem32<2, 4_KiB>>>;
#else
using f = pci::function<pci::ids{}, pci::bars<pci::mem64<0, 1_MiB>, pci::mem32<1, 4_KiB>>>;
#endif
inline constexpr std::size_t config_bytes = f::config::size;
