// expect-error: mmiotree: the register_file.s block type is not the block declared at this path
// expect-error: register_file_block_differs_from_the_region<.*\{"timer"\}>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::register_file_block_differs_from_the_region<mmiotree::v0::fixed_string<5>\{"timer"\}>
// expect-error-clang: in instantiation of template class .mmiotree::diag::register_file_block_differs_from_the_region<fixed_string<6UL - 1>\{"timer"\}>
// max-lines-gnu: 11
// max-lines-clang: 17
//
// Rule (DESIGN §2.6): a register block region binds a register_file of that very block type;
// the file's tables are what decode the guest's accesses. The UART's file is bound to the timer.
#include <mmiotree/regs/register_file.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>

using namespace mmiotree;
using namespace mmiotree::literals;
using namespace mmiotree::field_kinds;

// clang-format off
using timer_block = register_block<"timer", 0x20, access::exactly<4>,
    reg<"ctrl", 0x04, 32, 0x0, field<"enable", 0, 0, rw>>>;
using uart_block = register_block<"uart", 0x20, access::exactly<4>,
    reg<"data", 0x00, 32, 0x0, field<"byte", 7, 0, rw>>>;
// clang-format on

using soc = container<"soc", 64_KiB, at<0x1000, timer_block>, at<0x2000, uart_block>>;

void wire(address_space<soc>& bus, register_file<timer_block>& timer,
          register_file<uart_block>& uart) {
#ifdef MMIOTREE_CF_POSITIVE
  (void)bus.bind<"timer">(timer);
#else
  (void)bus.bind<"timer">(uart);
#endif
  (void)bus.bind<"uart">(uart);
}
