// expect-error: mmiotree: an RWL field must name its lock
// expect-error: rwl_field_needs_a_lock<.*\{"base_lo"\}, .*\{"base"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::rwl_field_needs_a_lock<mmiotree::v0::fixed_string<7>\{"base_lo"\}, mmiotree::v0::fixed_string<4>\{"base"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::rwl_field_needs_a_lock<fixed_string<8UL - 1>\{"base_lo"\}, fixed_string<5UL - 1>\{"base"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): an RWL field is writable until its lock holds, so it must say which
// lock: lock<"name">, computed by a lock_if or set by the device. BASE (HDM-style) forgot it.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using hdm_block = register_block<"hdm", 0x20, access::exactly<4>,
    reg<"base_lo", 0x10, 32, 0x0,
        field<"rsvd", 27, 0, rsvdp>,
#ifdef MMIOTREE_CF_POSITIVE
        field<"base", 31, 28, rwl, lock<"decoder">>>>;
#else
        field<"base", 31, 28, rwl>>>;
#endif
// clang-format on

register_file<hdm_block> regs;
