// expect-error: mmiotree: an enumerated value must fit in its field
// expect-error: enumerator_does_not_fit_its_field<.*\{"ctrl"\}, .*\{"mode"\}, .*\{"burst"\}, .*\{"0x4"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::enumerator_does_not_fit_its_field<mmiotree::v0::fixed_string<4>\{"ctrl"\}, mmiotree::v0::fixed_string<4>\{"mode"\}, mmiotree::v0::fixed_string<5>\{"burst"\}, mmiotree::v0::fixed_string<3>\{"0x4"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::enumerator_does_not_fit_its_field<fixed_string<5UL - 1>\{"ctrl"\}, fixed_string<5UL - 1>\{"mode"\}, fixed_string<6UL - 1>\{"burst"\}, fixed_string<3>\{"0x4"\}>
// max-lines-gnu: 14
// max-lines-clang: 24
//
// Rule (regs/check.hpp): an enumerator's value fits in its field's width. MODE is 2 bits
// ([2:1]); "burst" = 4 needs 3.
#include <mmiotree/regs/register_file.hpp>

using namespace mmiotree;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"ctrl", 0x04, 32, 0x0,
        field<"enable", 0, 0, rw>,
        field<"mode", 2, 1, rw, enumerator<"oneshot", 0>, enumerator<"periodic", 1>,
#ifdef MMIOTREE_CF_POSITIVE
              enumerator<"burst", 2>>>>;
#else
              enumerator<"burst", 4>>>>;
#endif
// clang-format on

register_file<timer_block> regs;
