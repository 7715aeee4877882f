// tests/fuzz/fuzz_slots.cpp: random slot transactions — moves, enables, disables, placements
// that overlap, tie, run past their window or wrap past 2^64 — on the machine `sys` of
// tests/unit/runtime/slot_commits.hpp (slots of every kind, tie policies, declared and natural
// alignments, static content above and below them, a window partly hidden), with a listener
// registered. The unit test test_slots.cpp drives the same steps from a seeded generator; here
// the input chooses them, so that libFuzzer steers towards the placements that reach new code.
//
// Each step is judged by slot_commits.hpp's literal oracle (DESIGN §2.2 and the commit rules,
// read from a hand-written description of `sys`, none of the library's tables): the commit's
// verdict (accepted, or refused naming a broken rule); a refused commit tells no listener; the
// listener's map, followed from events, equals a fresh replay and the oracle at every edge; the
// dispatcher (leaf_at and reads through the bound handlers) agrees with the oracle there too.
//
// Input: one byte per choice (`rng()`): its low 8 bits are the byte itself, so choices modulo
// 2, 4, 8 or 16 (which change, which base class) are the input's own; wide choices (a base
// anywhere in a 64 MiB window) mix in a hash. Each input starts from a fresh machine and runs
// at most 24 transactions.
#include <cstddef>
#include <cstdint>
#include <span>

#include "checks.hpp"  // before slot_commits.hpp: its REQUIRE, INFO, ...
#include "slot_commits.hpp"

namespace {

/// The choices of one input: `rng()` as the property test's generator is called.
class input_choices {
 public:
  explicit input_choices(std::span<const std::uint8_t> in) : in_(in) {}
  [[nodiscard]] bool done() const { return at_ >= in_.size(); }
  std::uint64_t operator()() {
    const std::uint64_t b = at_ < in_.size() ? in_[at_] : 0;
    ++at_;
    return b | (mix(b ^ (std::uint64_t{at_} << 8)) << 8);
  }

 private:
  static std::uint64_t mix(std::uint64_t x) {  // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  std::span<const std::uint8_t> in_;
  std::size_t at_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace slot_commits::prop;
  static const model pristine(sys_desc);
  input_choices choices(std::span<const std::uint8_t>(data, size));
  model m = pristine;
  traced_rig r(m);
  compare(r, m, {}, choices);
  for (int step = 0; step < 24 && !choices.done(); ++step) random_commit(r, m, choices, step);
  return 0;
}
