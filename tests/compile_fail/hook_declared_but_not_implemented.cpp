// expect-error: mmiotree: a declared hook must exist with its exact signature
// expect-error: hook_declared_but_not_implemented<.*\{"after_write"\}, .*\{"ctrl"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::hook_declared_but_not_implemented<mmiotree::v0::fixed_string<11>\{"after_write"\}, mmiotree::v0::fixed_string<4>\{"ctrl"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::hook_declared_but_not_implemented<fixed_string<12UL - 1>\{"after_write"\}, fixed_string<5UL - 1>\{"ctrl"\}>
// max-lines-gnu: 12
// max-lines-clang: 23
//
// Rule (regs/register_file.hpp): a hook the register_file declares must exist with its exact
// signature, or it would never run. Here the device misspells after_write.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"ctrl", 0x04, 32, 0x0, field<"enable", 0, 0, rw>>,
    reg<"status", 0x08, 32, 0x0, field<"running", 1, 1, ro>>>;
// clang-format on

struct timer {
  register_file<timer_block, timer, after_write_to<"ctrl">> regs{*this};
  unsigned ctrl_writes = 0;

#ifdef MMIOTREE_CF_POSITIVE
  void after_write(write_event<timer_block, "ctrl">&) { ++ctrl_writes; }
#else
  void after_wrte(write_event<timer_block, "ctrl">&) { ++ctrl_writes; }
#endif
};

timer t;
