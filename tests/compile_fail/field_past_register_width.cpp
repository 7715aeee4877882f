// expect-error: mmiotree: a field must lie inside its register
// expect-error: field_past_register_width<.*\{"status"\}, .*\{"count"\}, 19, 16>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::field_past_register_width<mmiotree::v0::fixed_string<6>\{"status"\}, mmiotree::v0::fixed_string<5>\{"count"\}, 19, 16>
// expect-error-clang: in instantiation of template class .mmiotree::diag::field_past_register_width<fixed_string<7UL - 1>\{"status"\}, fixed_string<6UL - 1>\{"count"\}, 19, 16>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): a field's bits lie inside its register. STATUS is 16 bits wide;
// COUNT was copied from a 32-bit layout and reaches bit 19.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<2>,
    reg<"status", 0x08, 16, 0x0,
        field<"expired", 0, 0, rw1c>,
#ifdef MMIOTREE_CF_POSITIVE
        field<"count", 15, 8, ro>>>;
#else
        field<"count", 19, 8, ro>>>;
#endif
// clang-format on

register_file<timer_block> regs;
