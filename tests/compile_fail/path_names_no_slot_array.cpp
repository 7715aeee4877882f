// expect-error: mmiotree: no slot_array is declared at this path
// expect-error: path_names_no_slot_array<.*\{"pci/dev"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::path_names_no_slot_array<mmiotree::v0::fixed_string<7>\{"pci/dev"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::path_names_no_slot_array<fixed_string<8UL - 1>\{"pci/dev"\}>
// max-lines-gnu: 12
// max-lines-clang: 20
//
// Rule (DESIGN §2.6, slots): slot_of<Path>(k) finds element k of the slot array declared at
// Path; its elements are the slots Path[0], Path[1], ... The array is named after its region
// type, "bar"; "dev" names nothing.
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;

using bar = container<"bar", 64_KiB, at<0, io<"regs", 4_KiB>>>;
using sys = container<"sys", 4_GiB,  //
                      at<0, passthrough<"ram", 1_GiB>>,
                      at<2_GiB, container<"pci", 256_MiB, slot_array<bar, 32>>>>;

slot_id device_bar(std::size_t k) {
#ifdef MMIOTREE_CF_POSITIVE
  return address_space<sys>::slot_of<"pci/bar">(k);
#else
  return address_space<sys>::slot_of<"pci/dev">(k);
#endif
}
