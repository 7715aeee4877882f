// expect-error: mmiotree: enum_val names an enumerator the field lacks
// expect-error: field_has_no_enumerator_with_this_name<.*\{"ctrl"\}, .*\{"mode"\}, .*\{"continuous"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::field_has_no_enumerator_with_this_name<mmiotree::v0::fixed_string<4>\{"ctrl"\}, mmiotree::v0::fixed_string<4>\{"mode"\}, mmiotree::v0::fixed_string<10>\{"continuous"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::field_has_no_enumerator_with_this_name<fixed_string<5UL - 1>\{"ctrl"\}, fixed_string<5UL - 1>\{"mode"\}, fixed_string<11UL - 1>\{"continuous"\}>
// max-lines-gnu: 14
// max-lines-clang: 26
//
// Rule (regs/register_file.hpp): enum_val<Field, Name> names one of the field's enumerators.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

#include <cstdint>

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"ctrl", 0x04, 32, 0x0,
        field<"enable", 0, 0, rw>,
        field<"mode", 2, 1, rw, enumerator<"oneshot", 0>, enumerator<"periodic", 1>>,
        field<"irq_enable", 3, 3, rw>>,
    reg<"status", 0x08, 32, 0x0,
        field<"expired", 0, 0, rw1c>,
        field<"running", 1, 1, ro>>,
    reg<"load", 0x0C, 32, 0x0, field<"value", 31, 0, rw>>>;
// clang-format on

register_file<timer_block> regs;

void start() {
#ifdef MMIOTREE_CF_POSITIVE
  regs.state().set<"ctrl">(val<"enable", 1>{}, enum_val<"mode", "periodic">{});
#else
  regs.state().set<"ctrl">(val<"enable", 1>{}, enum_val<"mode", "continuous">{});
#endif
}
