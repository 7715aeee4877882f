// expect-error: mmiotree: capabilities do not overlap
// expect-error-gnu: In instantiation of .struct mmiotree::v0::pci::diag::capabilities_overlap<mmiotree::v0::fixed_string<1>\{"b"\}, mmiotree::v0::fixed_string<1>\{"a"\}, mmiotree::v0::fixed_string<5>\{"0x110"\}, mmiotree::v0::fixed_string<5>\{"0x114"\}>
// expect-error-clang: in instantiation of template class .mmiotree::pci::diag::capabilities_overlap<fixed_string<2UL - 1>\{"b"\}, fixed_string<2UL - 1>\{"a"\}, fixed_string<6UL - 1>\{"0x110"\}, fixed_string<6UL - 1>\{"0x114"\}>
// max-lines-gnu: 17
// max-lines-clang: 33
//
// Rule (pci/config_space.hpp): DVSEC a (0x14 bytes) takes 0x100-0x113; b declared at 0x110 would
// share its last dword.
#include <mmiotree/pci/capabilities.hpp>
#include <mmiotree/pci/config_space.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

#ifdef MMIOTREE_CF_POSITIVE
using f = pci::function<pci::ids{}, pci::bars<>, pci::caps<>,
                        pci::ext_caps<pci::dvsec<"a", 0x1E98, 0, 8, 0x14>,
                                      pci::at_offset<0x114, pci::dvsec<"b", 0x1E98, 0, 9, 0x10>>>>;
#else
using f = pci::function<pci::ids{}, pci::bars<>, pci::caps<>,
                        pci::ext_caps<pci::dvsec<"a", 0x1E98, 0, 8, 0x14>,
                                      pci::at_offset<0x110, pci::dvsec<"b", 0x1E98, 0, 9, 0x10>>>>;
#endif
inline constexpr std::size_t config_bytes = f::config::size;
