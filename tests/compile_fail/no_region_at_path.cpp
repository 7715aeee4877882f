// expect-error: mmiotree: no region has this path in the tree
// expect-error: no_region_at_path<.*\{"regs/dorbell"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::no_region_at_path<mmiotree::v0::fixed_string<12>\{"regs/dorbell"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::no_region_at_path<fixed_string<13UL - 1>\{"regs/dorbell"\}>
// max-lines-gnu: 13
// max-lines-clang: 20
//
// Rule (DESIGN §2.6): bindings name their region by typed path, so a misspelled path is a
// compile error rather than a region left unbound.
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::literals;

using regs = container<"regs", 16_KiB, at<0, io<"ctrl", 4_KiB>>, at<4_KiB, io<"doorbell", 4_KiB>>>;
using bar0 = container<"bar0", 64_KiB, at<0, regs>>;

struct doorbell {
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

void wire(address_space<bar0>& space, doorbell& db) {
#ifdef MMIOTREE_CF_POSITIVE
  (void)space.bind<"regs/doorbell">(db);
#else
  (void)space.bind<"regs/dorbell">(db);
#endif
}
