// expect-error: mmiotree: typed access names a field the register lacks
// expect-error: register_has_no_field_with_this_name<.*\{"ctrl"\}, .*\{"enabel"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::register_has_no_field_with_this_name<mmiotree::v0::fixed_string<4>\{"ctrl"\}, mmiotree::v0::fixed_string<6>\{"enabel"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::register_has_no_field_with_this_name<fixed_string<5UL - 1>\{"ctrl"\}, fixed_string<7UL - 1>\{"enabel"\}>
// max-lines-gnu: 13
// max-lines-clang: 23
//
// Rule (regs/register_file.hpp): typed access names fields by name; a field the register does
// not declare is a compile error.
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

std::uint64_t enabled() {
#ifdef MMIOTREE_CF_POSITIVE
  return regs.state().get<"ctrl", "enable">();
#else
  return regs.state().get<"ctrl", "enabel">();
#endif
}
