#!/usr/bin/env python3
"""Refreshes the compiler output quoted in docs/diagnostics.md.

Every section of that document that ends with `Test: [`tests/compile_fail/<name>.cpp`]` and
quotes a compiler under "g++ 12 prints (…):" gets its header line and its quoted block redone
from the test as it compiles now, from the repository root:

    g++ -std=c++20 -fsyntax-only -Iinclude tests/compile_fail/<name>.cpp
    clang++-16 -std=c++20 -fsyntax-only -Iinclude tests/compile_fail/<name>.cpp   (counts only)

The block is g++'s output up to and including its first error (the line, the source line and
the caret), without the `In file included from` chain, with each `required from …` and
`in 'constexpr' expansion …` line longer than 120 characters cut there and marked `…` (they
spell out the whole tree type). Prose around the blocks (notes on extra errors, fixes) is not
touched: re-read it when a count changes. `--check` exits 1 when the document is out of date,
without writing it.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "diagnostics.md")
CUT = 120
ENV = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")


def compile_output(compiler, test):
    r = subprocess.run([compiler, "-std=c++20", "-fsyntax-only", "-Iinclude", test],
                       cwd=ROOT, env=ENV, capture_output=True, text=True)
    if r.returncode == 0:
        sys.exit(f"update-diagnostics-doc: {test} compiles with {compiler}; it must not")
    return r.stderr.splitlines()


def count_errors(lines):
    return sum(1 for l in lines if re.search(r"(^|: )(fatal )?error: ", l))


def shown(lines):
    out = []
    in_error = False
    for l in lines:
        if l.startswith("In file included from") or l.startswith("                 from "):
            continue
        if in_error:
            if re.match(r"^ +[0-9]* \|", l):
                out.append(l)
                continue
            break
        if re.search(r": (fatal )?error: ", l):
            in_error = True
            out.append(l)
            continue
        if len(l) > CUT and ("required from" in l or "required by substitution" in l
                             or "expansion of" in l):
            l = l[:CUT] + " …"
        out.append(l)
    return out


def plural(n, word):
    return f"{n} {word}" + ("" if n == 1 else "s")


def main():
    check = "--check" in sys.argv[1:]
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    header = re.compile(r"^g\+\+ 12 prints \(.*\):$")
    test_line = re.compile(r"^Test: \[`(tests/compile_fail/[A-Za-z0-9_]+\.cpp)`\]")
    result = []
    i = 0
    pending = []  # indexes in `result` of headers waiting for their section's test
    sections = []  # (header index, block start, block end) in `result`, then the test
    while i < len(lines):
        l = lines[i]
        m = test_line.match(l)
        if m:
            for h in pending:
                sections.append((h, m.group(1)))
            pending = []
        if header.match(l) and i + 2 < len(lines) and lines[i + 1] == "" and lines[i + 2] == "```":
            pending.append(len(result))
            result.append(l)
            result.append("")
            result.append("```")
            j = i + 3
            while lines[j] != "```":
                j += 1
            result.append(None)  # the block, filled in below
            result.append("```")
            i = j + 1
            continue
        result.append(l)
        i += 1
    if pending:
        sys.exit("update-diagnostics-doc: a quoted output has no `Test:` line after it")
    for h, test in sections:
        gcc = compile_output("g++", test)
        clang = compile_output("clang++-16", test)
        result[h] = (f"g++ 12 prints ({plural(len(gcc), 'line')}, "
                     f"{plural(count_errors(gcc), 'error')}; clang 16: "
                     f"{plural(len(clang), 'line')}, {plural(count_errors(clang), 'error')}):")
        result[h + 3] = "\n".join(shown(gcc))
    new = "\n".join(result)
    if check:
        if new != text:
            print("docs/diagnostics.md is out of date: run tools/update-diagnostics-doc.py")
            sys.exit(1)
        return
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(new)
    print(f"docs/diagnostics.md: {len(sections)} quoted outputs refreshed")


if __name__ == "__main__":
    main()
