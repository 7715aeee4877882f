// expect-error: mmiotree: two fields of a register share bits
// expect-error: fields_overlap<.*\{"ctrl"\}, .*\{"mode"\}, .*\{"irq_enable"\}, .*\{"0x8"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::fields_overlap<mmiotree::v0::fixed_string<4>\{"ctrl"\}, mmiotree::v0::fixed_string<4>\{"mode"\}, mmiotree::v0::fixed_string<10>\{"irq_enable"\}, mmiotree::v0::fixed_string<3>\{"0x8"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::fields_overlap<fixed_string<5UL - 1>\{"ctrl"\}, fixed_string<5UL - 1>\{"mode"\}, fixed_string<11UL - 1>\{"irq_enable"\}, fixed_string<3>\{"0x8"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): the fields of a register are disjoint, or a guest write to one would
// change the other. MODE was widened to bits [3:1] and now takes IRQ_ENABLE's bit 3.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"ctrl", 0x04, 32, 0x0,
        field<"enable", 0, 0, rw>,
#ifdef MMIOTREE_CF_POSITIVE
        field<"mode", 2, 1, rw>,
#else
        field<"mode", 3, 1, rw>,  // 3 is irq_enable's
#endif
        field<"irq_enable", 3, 3, rw>>>;
// clang-format on

register_file<timer_block> regs;
