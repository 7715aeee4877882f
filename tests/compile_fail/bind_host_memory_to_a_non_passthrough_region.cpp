// expect-error: mmiotree: host memory binds only to a passthrough region
// expect-error: bind_host_memory_to_a_non_passthrough_region<.*\{"regs/doorbell"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::bind_host_memory_to_a_non_passthrough_region<mmiotree::v0::fixed_string<13>\{"regs/doorbell"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::bind_host_memory_to_a_non_passthrough_region<fixed_string<14UL - 1>\{"regs/doorbell"\}>
// max-lines-gnu: 11
// max-lines-clang: 17
//
// Rule (DESIGN §2.6): an io region is emulated, so it takes a handler; only a passthrough
// region is backed by host memory.
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

#include <cstddef>
#include <span>

using namespace mmiotree;
using namespace mmiotree::literals;

using regs = container<"regs", 16_KiB, at<0, io<"ctrl", 4_KiB>>, at<4_KiB, io<"doorbell", 4_KiB>>>;
using bar0 = container<"bar0", 64_KiB, at<0, passthrough<"ram", 32_KiB>>, at<32_KiB, regs>>;

bind_status wire(address_space<bar0>& space, std::span<std::byte> host) {
#ifdef MMIOTREE_CF_POSITIVE
  return space.bind<"ram">(host);
#else
  return space.bind<"regs/doorbell">(host);
#endif
}
