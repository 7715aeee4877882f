// expect-error: mmiotree: a hook is declared once
// expect-error: hook_declared_twice<.*\{"after_write"\}, .*\{"ctrl"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::hook_declared_twice<mmiotree::v0::fixed_string<11>\{"after_write"\}, mmiotree::v0::fixed_string<4>\{"ctrl"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::hook_declared_twice<fixed_string<12UL - 1>\{"after_write"\}, fixed_string<5UL - 1>\{"ctrl"\}>
// max-lines-gnu: 12
// max-lines-clang: 23
//
// Rule (regs/register_file.hpp): each hook is declared once; a repeated declaration is
// usually a copy whose register name was meant to change.
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
  register_file<timer_block, timer, after_write_to<"ctrl">> regs{*this};
#else
  register_file<timer_block, timer, after_write_to<"ctrl">, after_write_to<"ctrl">> regs{*this};
#endif

  void after_write(write_event<timer_block, "ctrl">& e) {
    e.regs.set<"status">(val<"running", 1>{});
  }
};

timer t;
