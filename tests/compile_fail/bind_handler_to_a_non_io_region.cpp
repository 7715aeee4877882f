// expect-error: mmiotree: a handler binds only to an io region
// expect-error: bind_handler_to_a_non_io_region<.*\{"ram"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::bind_handler_to_a_non_io_region<mmiotree::v0::fixed_string<3>\{"ram"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::bind_handler_to_a_non_io_region<fixed_string<4UL - 1>\{"ram"\}>
// max-lines-gnu: 11
// max-lines-clang: 17
//
// Rule (DESIGN §2.6): a passthrough region is host memory the guest reaches without a VM
// exit, so a handler bound to it would never run.
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstdint>

using namespace mmiotree;
using namespace mmiotree::literals;

using regs = container<"regs", 16_KiB, at<0, io<"ctrl", 4_KiB>>, at<4_KiB, io<"doorbell", 4_KiB>>>;
using bar0 = container<"bar0", 64_KiB, at<0, passthrough<"ram", 32_KiB>>, at<32_KiB, regs>>;

struct doorbell {
  std::uint64_t read(addr_t, unsigned) { return 0; }
  void write(addr_t, unsigned, std::uint64_t) {}
};

void wire(address_space<bar0>& space, doorbell& db) {
#ifdef MMIOTREE_CF_POSITIVE
  (void)space.bind<"regs/doorbell">(db);
#else
  (void)space.bind<"ram">(db);
#endif
}
