// expect-error: mmiotree: a register_file given a hooks object declares the hooks it calls
// expect-error: hooks_object_declares_no_hooks<.*timer>
// expect-error-gnu: In instantiation of .struct mmiotree::v0::diag::hooks_object_declares_no_hooks<timer>
// expect-error-clang: in instantiation of template class .mmiotree::diag::hooks_object_declares_no_hooks<timer>
// max-lines-gnu: 10
// max-lines-clang: 17
//
// Rule (regs/register_file.hpp): a register_file that is handed a hooks object lists the hooks
// it calls; with no list, no hook would ever run. Here the hooks class is given and the list
// forgotten.
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
  register_file<timer_block, timer> regs{*this};
#endif

  void after_write(write_event<timer_block, "ctrl">& e) {
    e.regs.set<"status">(val<"running", 1>{});
  }
};

timer t;
