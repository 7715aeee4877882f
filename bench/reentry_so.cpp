// bench/reentry_so.cpp: bench_reentry's machines built into a shared object (-fPIC), reached
// through the plain functions below, so that the re-entry guard's `inline thread_local` is
// accessed as code in a shared library accesses it (the general-dynamic TLS model: a call to
// __tls_get_addr or a TLS descriptor, where an executable needs one instruction).
#include <cstddef>
#include <cstdint>

#include "reentry_machine.hpp"

namespace bench::reentry {

extern "C" {
/// A machine whose leaves refuse re-entry (`refuse`) or allow it; free with reentry_so_free.
[[gnu::visibility("default")]] void* reentry_so_make(bool refuse) {
  if (refuse) return new machine<true>();
  return new machine<false>();
}
[[gnu::visibility("default")]] void reentry_so_free(void* m, bool refuse) {
  if (refuse)
    delete static_cast<machine<true>*>(m);
  else
    delete static_cast<machine<false>*>(m);
}
/// The sum of 4-byte reads at `addrs[0..n)`.
[[gnu::visibility("default")]] std::uint64_t reentry_so_run(const void* m, bool refuse,
                                                            const mmiotree::addr_t* addrs,
                                                            std::size_t n) {
  const std::span<const mmiotree::addr_t> a(addrs, n);
  if (refuse) return static_cast<const machine<true>*>(m)->run(a);
  return static_cast<const machine<false>*>(m)->run(a);
}
}

}  // namespace bench::reentry
