// expect-error: sentinel: one error
// max-lines-gnu: 3
// max-lines-clang: 6
//
// Sentinel: one error, and line limits one below what the compilers print for it (g++ 12: 4
// lines, clang 16: 7). The harness must fail (status 15): the output may reach the limit
// (at_line_limit.cpp), not pass it. No mmiotree header, so the output's length does not move
// when the library does.
static_assert(sizeof(char) == 2, "sentinel: one error");
