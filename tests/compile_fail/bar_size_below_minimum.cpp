// expect-error: mmiotree: a PCI BAR has at least its minimum size
// expect-error-gnu: In instantiation of .struct mmiotree::v0::pci::diag::bar_size_below_minimum<1, mmiotree::v0::fixed_string<3>\{"0x2"\}, mmiotree::v0::fixed_string<3>\{"0x4"\}>
// expect-error-clang: in instantiation of template class .mmiotree::pci::diag::bar_size_below_minimum<1, fixed_string<4UL - 1>\{"0x2"\}, fixed_string<4UL - 1>\{"0x4"\}>
// max-lines-gnu: 18
// max-lines-clang: 33
//
// Rule (pci/config_space.hpp): an I/O BAR's low two bits are its type and a reserved bit, so it
// decodes at least 4 bytes (a memory BAR 16).
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using f = pci::function<pci::ids{}, pci::bars<pci::io_bar<1, 4>>>;
#else
using f = pci::function<pci::ids{}, pci::bars<pci::io_bar<1, 2>>>;
#endif
inline constexpr std::size_t config_bytes = f::config::size;
