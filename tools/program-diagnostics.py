#!/usr/bin/env python3
"""One mistake in a real program, one error: measured on the examples and the demo's machine.

Each case below takes a whole program of this repository (an example, the demo VMM), makes one
layout mistake in a copy of it (one textual replacement, which must match exactly once), and
compiles the copy with g++ and clang++-16 (-std=c++20 -fsyntax-only, the library's include
directory). It then asserts, for each case:

  - g++ 12 reports exactly one error, the rule's own (its diagnostic template's name is on the
    error line), in at most 15 lines of output;
  - clang 16 reports exactly one error, the rule's own (its line count is reported, not bounded:
    clang prints a note, a source line and a caret per instantiation frame);

unless the case declares the errors the program's own code adds (an example's `static_assert`
on a table of the broken tree: the library cannot make a user's assertion about an empty table
hold), and writes the figures as a table into docs/diagnostics.md between the markers

    <!-- programs: begin -->  …  <!-- programs: end -->

`--check` (the test command, through CTest) fails when an assertion fails or when the table in
the document differs from what was measured, without writing it; without it the table is
rewritten. `--gxx` and `--clang` name the compilers (default g++ and clang++-16).
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "diagnostics.md")
BEGIN, END = "<!-- programs: begin -->", "<!-- programs: end -->"
ENV = dict(os.environ, LC_ALL="C", LANG="C")
GNU_MAX_LINES = 15

# An error is a diagnostic line whose severity is error (as tests/compile_fail/check.sh counts).
ERROR_LINE = re.compile(
    r"^((fatal )?error: |[-+./<>_A-Za-z0-9]+: (fatal )?error: |"
    r"[^ ]([^:]|:[^ ])*:[0-9]+(:[0-9]+)?: (fatal )?error: )")

# (name, directory copied, file compiled, file changed, text, replacement, rule, what, extra)
# `extra`: errors the program's own code adds after the library's one, per compiler, and why.
CASES = [
    ("pc_machine", "examples", "pc_machine.cpp", "pc_machine.cpp",
     'at<0xF100\'0000, io<"vga-mmio", 64_KiB, access::exactly<4>>>,',
     'at<0xE1F0\'0000, io<"vga-mmio", 64_KiB, access::exactly<4>>>,',
     "siblings_overlap_at_equal_priority",
     "the VGA registers moved into the frame buffer, inside the unmapped PCI space "
     "(examples/pc_machine.cpp: a PC map, binds, dispatch, `info mtree`)", None),
    ("pc_machine (alias)", "examples", "pc_machine.cpp", "pc_machine.cpp",
     'alias<"pci-hole64", 32_GiB, "./pci", 32_GiB>',
     'alias<"pci-hole64", 32_GiB, "./pcie", 32_GiB>',
     "alias_target_not_found",
     "the 64-bit PCI hole naming a region that does not exist", None),
    ("pci_slots", "examples", "pci_slots.cpp", "pci_slots.cpp",
     'at<0, passthrough<"ram", 64_MiB>>,',
     'at<0, passthrough<"ram", 64_MiB>>, at<32_MiB, passthrough<"rom", 1_MiB>>,',
     "siblings_overlap_at_equal_priority",
     "a ROM placed inside RAM at the same priority (examples/pci_slots.cpp: address_space, "
     "slot handles, a transaction, reads, `info mtree`)", None),
    ("timer_regs", "examples", "timer_regs.cpp", "timer_regs.cpp",
     'container<"soc", 64_KiB, at<0x1000, timer_block>> {}',
     'container<"soc", 64_KiB, at<0x1000, timer_block>, at<0x1010, io<"uart", 0x100>>> {}',
     "siblings_overlap_at_equal_priority",
     "a UART placed over the timer's registers (examples/timer_regs.cpp: a register file "
     "bound and driven through the bus)", None),
    ("cxl_type2_bar", "examples", "cxl_type2_bar.cpp", "cxl_type2_bar.cpp",
     'at<0, passthrough<"mmap0", comp_block>>',
     'at<0, passthrough<"mmap0", comp_block + 128_KiB>>',
     "siblings_overlap_at_equal_priority",
     "VFIO's first sparse area made to overlap the second (examples/cxl_type2_bar.cpp: "
     "printers, projections, binds, dispatch)",
     {"gnu": (5, "the example's own three `static_assert`s on `projection_v<bar2, 64_KiB>` "
                 "(empty for a broken tree) fail in turn — the first as false, the two that "
                 "read `trapped[0]` of the empty array as non-constant, two errors each"),
      "clang": (3, "one per `static_assert`")}),
    ("cxl_type2_device", "examples", "cxl_type2_device.cpp", "cxl_type2_device.cpp",
     'cxl::accel_window<"accel_lo", 0, comp_at>;',
     'cxl::accel_window<"accel_lo", 0, comp_at + 4_KiB>;',
     "accel_window_reaches_trapped_component_registers",
     "an accelerator window of the v2 BAR grown into the component registers "
     "(examples/cxl_type2_device.cpp: PCI function, DVSECs, HDM decoders, VFIO checks)", None),
    ("vmm-demo", "vmm-demo/src", "main.cpp", "machine.hpp",
     "pci32_size = 0x2F00'0000",
     "pci32_size = 0x3000'0000",
     "siblings_overlap_at_equal_priority",
     "the 32-bit PCI window grown over ECAM (vmm-demo: the demo's machine, four BAR variants, "
     "the Unicorn backend, VFIO and CXL layers)", None),
]


def count_errors(text):
    return sum(1 for l in text.splitlines() if ERROR_LINE.match(l))


def measure(case, gxx, clang):
    name, directory, main, changed, text, replacement = case[:6]
    with tempfile.TemporaryDirectory(prefix="mmiotree-program-") as tmp:
        src = os.path.join(ROOT, directory)
        for f in os.listdir(src):
            if os.path.isfile(os.path.join(src, f)):
                shutil.copy(os.path.join(src, f), tmp)
        path = os.path.join(tmp, changed)
        with open(path, encoding="utf-8") as fh:
            body = fh.read()
        if body.count(text) != 1:
            sys.exit(f"program-diagnostics: {name}: {text!r} occurs {body.count(text)} times "
                     f"in {directory}/{changed}, not once")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(body.replace(text, replacement))
        out = {}
        for tag, cxx in (("gnu", gxx), ("clang", clang)):
            r = subprocess.run([cxx, "-std=c++20", "-fsyntax-only", "-fdiagnostics-color=never",
                                "-I" + os.path.join(ROOT, "include"), "-I" + tmp,
                                '-DVMM_DEMO_GUEST="guest.elf"', os.path.join(tmp, main)],
                               env=ENV, capture_output=True, text=True)
            if r.returncode == 0:
                sys.exit(f"program-diagnostics: {name} compiles with {cxx} despite the mistake")
            # Paths as from the repository root and the program's directory, so that the
            # figures do not depend on where the checkout or the temporary copy lives.
            text = r.stderr.replace(tmp + "/", directory + "/").replace(ROOT + "/", "")
            lines = text.splitlines()
            first = next((l for l in lines if ERROR_LINE.match(l)), "")
            out[tag] = (count_errors(text), len(lines), max(map(len, lines), default=0),
                        first)
        return out


def table(results):
    rows = ["| program | the mistake | rule | g++ 12: errors / lines (longest line) | "
            "clang 16: errors / lines (longest line) |", "|---|---|---|---|---|"]
    notes = []
    for case, m in zip(CASES, results):
        name, rule, what, extra = case[0], case[6], case[7], case[8]
        g, c = m["gnu"], m["clang"]
        rows.append(f"| {name} | {what} | `{rule}` | {g[0]} / {g[1]} ({g[2]}) | "
                    f"{c[0]} / {c[1]} ({c[2]}) |")
        if extra:
            notes.append(f"- {name}: the errors after the first are the program's own: "
                         f"{extra['gnu'][1]} (g++: {extra['gnu'][0]} more); clang: "
                         f"{extra['clang'][0]} more, {extra['clang'][1]}.")
    return "\n".join(rows + ([""] + notes if notes else [])) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--gxx", default="g++")
    ap.add_argument("--clang", default="clang++-16")
    args = ap.parse_args()

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: measure(c, args.gxx, args.clang), CASES))

    failures = []
    for case, m in zip(CASES, results):
        name, rule, extra = case[0], case[6], case[8] or {}
        for tag in ("gnu", "clang"):
            errors, lines, _, first = m[tag]
            want = 1 + extra.get(tag, (0, ""))[0]
            if errors != want:
                failures.append(f"{name} ({tag}): {errors} errors, expected {want}")
            if rule not in first:
                failures.append(f"{name} ({tag}): the first error is not {rule}: {first[:200]}")
        if not extra and m["gnu"][1] > GNU_MAX_LINES:
            failures.append(f"{name} (gnu): {m['gnu'][1]} lines, at most {GNU_MAX_LINES}")

    with open(DOC, encoding="utf-8") as fh:
        doc = fh.read()
    if BEGIN not in doc or END not in doc:
        sys.exit(f"program-diagnostics: {DOC} has no {BEGIN} … {END} section")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + BEGIN + "\n" + table(results) + END + tail

    for f in failures:
        print("program-diagnostics: FAIL", f)
    if args.check:
        if new != doc:
            print("program-diagnostics: docs/diagnostics.md's table of programs is out of date: "
                  "run tools/program-diagnostics.py")
            print(table(results))
            return 1
    elif new != doc:
        with open(DOC, "w", encoding="utf-8") as fh:
            fh.write(new)
        print("program-diagnostics: docs/diagnostics.md's table of programs rewritten")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
