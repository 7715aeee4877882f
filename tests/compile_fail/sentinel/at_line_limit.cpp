// expect-error: sentinel: one error
// max-lines-gnu: 4
// max-lines-clang: 7
//
// Sentinel: too_long.cpp with line limits equal to what the compilers print. The harness must
// pass it (status 0): together the two fix the comparison at "more than the limit fails".
static_assert(sizeof(char) == 2, "sentinel: one error");
