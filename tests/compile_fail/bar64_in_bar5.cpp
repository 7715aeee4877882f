// expect-error: mmiotree: a 64-bit BAR takes two registers, so it cannot start at BAR5
// expect-error-gnu: In instantiation of .struct mmiotree::v0::pci::diag::bar64_in_bar5<5>
// expect-error-clang: in instantiation of template class .mmiotree::pci::diag::bar64_in_bar5<5>
// max-lines-gnu: 18
// max-lines-clang: 33
//
// Rule (pci/config_space.hpp): a 64-bit BAR's upper half is the next register; BAR5 has none.
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using f = pci::function<pci::ids{}, pci::bars<pci::mem64<4, 1_MiB>>>;
#else
using f = pci::function<pci::ids{}, pci::bars<pci::mem64<5, 1_MiB>>>;
#endif
inline constexpr std::size_t config_bytes = f::config::size;
