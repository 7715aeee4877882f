// expect-error: mmiotree: set_lock/locked name a lock the block lacks
// expect-error: block_has_no_lock_with_this_name<.*\{"runing"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::block_has_no_lock_with_this_name<mmiotree::v0::fixed_string<6>\{"runing"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::block_has_no_lock_with_this_name<fixed_string<7UL - 1>\{"runing"\}>
// max-lines-gnu: 12
// max-lines-clang: 20
//
// Rule (regs/register_file.hpp): set_lock and locked name a lock of the block (a field's
// lock<...> or a lock_if); LOAD is guarded by "running".
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
    reg<"load", 0x0C, 32, 0x0, field<"value", 31, 0, rwl, lock<"running">>>>;
// clang-format on

register_file<timer_block> regs;

void start() {
#ifdef MMIOTREE_CF_POSITIVE
  regs.state().set_lock<"running">(true);
#else
  regs.state().set_lock<"runing">(true);
#endif
}
