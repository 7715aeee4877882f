// expect-error: mmiotree: a lock_if.s fields must be fields of its register
// expect-error: lock_if_names_no_field_of_its_register<.*\{"decoder"\}, .*\{"comitted"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::lock_if_names_no_field_of_its_register<mmiotree::v0::fixed_string<7>\{"decoder"\}, mmiotree::v0::fixed_string<8>\{"comitted"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::lock_if_names_no_field_of_its_register<fixed_string<8UL - 1>\{"decoder"\}, fixed_string<9UL - 1>\{"comitted"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): the fields a lock_if reads are fields of its register. "comitted" is
// misspelled.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using hdm_block = register_block<"hdm", 0x50, access::exactly<4>,
    reg<"cap", 0x0, 32, 0x1, field<"count", 3, 0, hwinit>>,
    reg_array<"decoder", 0x10, 2, 0x20,
        reg<"base_lo", 0x0, 32, 0x0,
            field<"rsvd", 27, 0, rsvdp>, field<"base", 31, 28, rwl, lock<"decoder">>>,
        reg<"ctrl", 0x10, 32, 0x0,
            field<"lock_on_commit", 8, 8, rwl, lock<"decoder">>,
            field<"commit", 9, 9, rwl, lock<"decoder">>,
            field<"committed", 10, 10, ro>>>,
#ifdef MMIOTREE_CF_POSITIVE
    lock_if<"decoder", "decoder/ctrl", "committed", "lock_on_commit">
#else
    lock_if<"decoder", "decoder/ctrl", "comitted", "lock_on_commit">
#endif
>;
// clang-format on

register_file<hdm_block> regs;
