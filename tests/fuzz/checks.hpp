// tests/fuzz/checks.hpp: REQUIRE, REQUIRE_FALSE, CHECK, CHECK_FALSE, INFO and FAIL for test
// code shared between a Catch2 test and a fuzz target (tests/unit/runtime/slot_commits.hpp,
// snapshot_rig.hpp): a failed check prints the expression, where it is, and every INFO message
// still in scope, then aborts, which libFuzzer reports as a crash and keeps the input for.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace fuzz_checks {

/// The INFO messages in scope, innermost last.
inline std::vector<const std::ostringstream*>& infos() {
  static std::vector<const std::ostringstream*> v;
  return v;
}

/// One INFO message, in scope until the end of the enclosing block (as Catch2's).
class info_scope {
 public:
  info_scope() { infos().push_back(&text); }
  ~info_scope() { infos().pop_back(); }
  info_scope(const info_scope&) = delete;
  info_scope& operator=(const info_scope&) = delete;
  std::ostringstream text;
};

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
  for (const std::ostringstream* m : infos())
    std::fprintf(stderr, "  with: %s\n", m->str().c_str());
  std::abort();
}

}  // namespace fuzz_checks

#define FUZZ_CHECKS_CAT2(a, b) a##b
#define FUZZ_CHECKS_CAT(a, b) FUZZ_CHECKS_CAT2(a, b)
#define REQUIRE(...) \
  ((__VA_ARGS__) ? void() : ::fuzz_checks::fail(#__VA_ARGS__, __FILE__, __LINE__))
#define REQUIRE_FALSE(...) \
  (!(__VA_ARGS__) ? void() : ::fuzz_checks::fail("!(" #__VA_ARGS__ ")", __FILE__, __LINE__))
#define CHECK(...) REQUIRE(__VA_ARGS__)
#define CHECK_FALSE(...) REQUIRE_FALSE(__VA_ARGS__)
#define FAIL(msg)                                                          \
  do {                                                                     \
    std::ostringstream fuzz_fail_text;                                     \
    fuzz_fail_text << msg; /* NOLINT(bugprone-macro-parentheses) */        \
    ::fuzz_checks::fail(fuzz_fail_text.str().c_str(), __FILE__, __LINE__); \
  } while (false)
#define INFO(msg)                                                  \
  ::fuzz_checks::info_scope FUZZ_CHECKS_CAT(fuzz_info_, __LINE__); \
  FUZZ_CHECKS_CAT(fuzz_info_, __LINE__).text << msg  // NOLINT(bugprone-macro-parentheses)
