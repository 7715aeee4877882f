// expect-error: sentinel: error: quoted in a note
// expect-error-gnu: error: call to non-'constexpr' function 'void report
// expect-error-clang: error: static assertion expression is not an integral constant expression
// max-lines-gnu: 9
// max-lines-clang: 16
//
// Sentinel: one error whose report quotes "error: " in lines that are not errors — g++'s
// `in 'constexpr' expansion of 'check(..."sentinel: error: ...")'`, clang's `note: in call to
// 'check(...)'` and the source line clang quotes from column 0. The harness must count one
// error and pass (status 0); counting every line that contains "error: " would find 2 (g++)
// and 4 (clang).
void report(const char* what);  // not constexpr: calling it from a constant expression fails

consteval int check(const char* what, int v) {
  if (v != 1) report(what);
  return v;
}

static_assert(check("sentinel: error: quoted in a note", 2) == 2);
