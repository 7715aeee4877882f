// expect-error: mmiotree: every hook a device implements is declared
// expect-error: hook_implemented_but_not_declared<.*\{"after_read"\}, .*\{"status"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::hook_implemented_but_not_declared<mmiotree::v0::fixed_string<10>\{"after_read"\}, mmiotree::v0::fixed_string<6>\{"status"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::hook_implemented_but_not_declared<fixed_string<11UL - 1>\{"after_read"\}, fixed_string<7UL - 1>\{"status"\}>
// max-lines-gnu: 14
// max-lines-clang: 29
//
// Rule (regs/register_file.hpp): the register_file calls the hooks it declares and no others,
// so a hook the device implements and the list omits would never run. Here the device counts
// reads of STATUS, and the list declares only the write hook of CTRL.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"ctrl", 0x04, 32, 0x0, field<"enable", 0, 0, rw>>,
    reg<"status", 0x08, 32, 0x0, field<"running", 1, 1, ro>>>;
// clang-format on

struct timer {
#ifdef MMIOTREE_CF_POSITIVE
  register_file<timer_block, timer, after_write_to<"ctrl">, after_read_from<"status">> regs{*this};
#else
  register_file<timer_block, timer, after_write_to<"ctrl">> regs{*this};
#endif
  unsigned status_reads = 0;

  void after_write(write_event<timer_block, "ctrl">& e) {
    e.regs.set<"status">(val<"running", 1>{});
  }
  void after_read(read_event<timer_block, "status">&) { ++status_reads; }
};

timer t;
