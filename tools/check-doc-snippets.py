#!/usr/bin/env python3
"""Checks that every C++ code block of the documentation is compiled, or is an exact excerpt of
a compiled file, or fails to compile exactly as the documentation says.

    check-doc-snippets.py [--cxx COMPILER] [--cxx-id GNU|Clang] [--include DIRS]
                          [--implicit DIRS] [--definitions DEFS] [--root DIR] [--jobs N]
                          [--expect N [--expect-output REGEX]] [--verbose] [FILE.md ...]

Without FILE arguments it checks README.md and docs/*.md of the repository (--root, by default
the one holding this script); with them, only those files. DIRS and DEFS are '|'-separated
lists, as CMake's generator expressions give them (tests/docs/CMakeLists.txt); include
directories the compiler searches anyway (--implicit, e.g. /usr/include) are dropped, since
`-I/usr/include` breaks libstdc++'s #include_next. By default: g++, GNU, <root>/include.

MARKERS. Every fenced block whose info string is `cpp` or `c++` must have, on the line just
before its opening fence, one HTML comment (invisible in the rendered page) saying how it is
checked:

  <!-- snippet: compile -->
      The block is a whole translation unit. It is compiled to an object file (code generation
      runs, so templates it instantiates and warnings found late count) with
      COMPILER -std=c++20 -Wall -Wextra -Wpedantic -Werror, the library's include directories
      and definitions, and must compile.

  <!-- snippet: excerpt PATH -->
  <!-- snippet: excerpt PATH positive -->
      The block's lines appear in order and contiguously in PATH (relative to the repository
      root), compared line by line with leading and trailing whitespace stripped, and a
      trailing empty `//` (which only keeps clang-format from joining two lines) dropped; blank
      lines count. A block line that is only `...`, `…`, `// ...` or `// …` stands for any
      number of lines of PATH, none included. With `positive`, PATH is read as compiled with
      -DMMIOTREE_CF_POSITIVE (its `#ifdef MMIOTREE_CF_POSITIVE` branch kept, its `#else`
      branch and the directive lines dropped: the positive twin of a compile-fail test), and
      the block must show every line of that branch (it is the fix, not the lines around it).
      Nothing is compiled here: PATH is compiled by its own test (examples/*.cpp by example.*,
      the positive twins by compile_fail.*.positive, both with -Werror).

  <!-- snippet: fails -->
  <!-- snippet: fails PATH -->
      A mistake (docs/diagnostics.md's "Bad:" blocks). The block's section (the `## ` heading
      it is under) must quote the compiler after it, under a line
      `g++ 12 prints (L lines, E errors; clang 16: L lines, E errors):`, and name its test with
      a line `Test: [`tests/compile_fail/<rule>.cpp`](...)`, as tools/update-diagnostics-doc.py
      writes them. Without PATH the block is a whole translation unit after a prelude: the
      `#include` and `using namespace` lines of the section's test. With PATH (which must be the
      section's test) the block is an excerpt of PATH as compiled without MMIOTREE_CF_POSITIVE,
      shows every line of its `#else` branch, and is compiled in place: PATH with the lines it
      matched replaced by the block's own text (what a `...` line elides stays PATH's). Either
      way it is compiled as the section's output was, `-std=c++20 -fsyntax-only` without
      warning flags, and
        - it must not compile;
        - it must give the section's number of errors for this compiler (g++: E of "g++ 12",
          clang: E of "clang 16"; any other compiler: not checked);
        - the output must contain the rule's sentence (`mmiotree: …`, from the quoted error line
          or from the `compile_error("mmiotree: …")` call quoted under it) and, when the quote
          names one, the error template `diag::<name><`; with g++ also the quoted error line's
          text after `error: ` and the template with its arguments exactly as quoted.

Blocks with another info string (sh, console, cmake, none: shell commands, compiler output)
are left alone. A cpp block without a marker, a marker that is not just before a cpp block,
and a marker this script does not know are errors, so no C++ block escapes.

Compiler output is read with LC_ALL=C.UTF-8 (the quotes tools/update-diagnostics-doc.py
records); ‘’ and '' compare equal. `#line` directives make errors in a block point at the
Markdown file's own lines. Blocks are compiled in parallel (--jobs, default 2).

EXIT STATUS. 0 every block passes; 10 a compile block does not compile (warnings included);
11 an excerpt differs from its file (or the file is missing); 12 a fails block compiles;
13 a fails block fails with another message than its section quotes; 14 a cpp block without a
marker, or a marker that is malformed, unknown, misplaced or lacks what its section must give;
15 a fails block gives another number of errors than its section says; 16 an excerpt does not
show the lines its compile-fail test switches; 1 failures of more than one of these kinds;
2 usage. With --expect N (the sentinels of tests/docs/sentinel/): exit 0 if the check ends
with status N (and, with --expect-output REGEX, its report matches REGEX) and 1 otherwise, so
a sentinel passes only if the check fails for its reason.
"""
import argparse
import concurrent.futures
import dataclasses
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

OK = 0
MIXED = 1
USAGE = 2
COMPILE_FAILED = 10
EXCERPT_DIFFERS = 11
FAILS_COMPILED = 12
FAILS_MESSAGE = 13
UNMARKED = 14
FAILS_COUNT = 15
NOT_SHOWN = 16

CPP_INFO = {"cpp", "c++"}
ELISIONS = {"...", "…", "// ...", "// …"}
MARKER = re.compile(r"^\s*<!--\s*snippet:(.*?)-->\s*$")
LOOSE_MARKER = re.compile(r"^\s*<!--\s*snippet\b")
FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)")
COUNTS = re.compile(r"^g\+\+ 12 prints \((\d+) lines?, (\d+) errors?; "
                    r"clang 16: (\d+) lines?, (\d+) errors?\):$")
TEST_LINE = re.compile(r"^Test: \[`([^`]+)`\]")
ERROR_LINE = re.compile(r"(^|: )(fatal )?error: ")
CF_MACRO = "MMIOTREE_CF_POSITIVE"
TIMEOUT = 600  # seconds per compiler run: a hung compiler must not hang CTest forever


def normalise_quotes(text):
    """g++ quotes with ‘’ under a UTF-8 locale and with '' under C: compare either."""
    return text.replace("‘", "'").replace("’", "'")


@dataclasses.dataclass
class Block:
    """A fenced code block of a Markdown file."""
    doc: str  # path as given / relative to the root, for messages
    fence_line: int  # 1-based line of the opening fence
    info: str
    lines: list
    marker: str = None  # the text after `snippet:`, or None
    section: "Section" = None


@dataclasses.dataclass
class Quote:
    """A `g++ 12 prints (…):` line and the compiler output quoted under it."""
    line: int
    gnu_errors: int
    clang_errors: int
    output: list


@dataclasses.dataclass
class Section:
    """The text under one `## ` heading: what a fails block is checked against."""
    title: str
    line: int
    events: list = dataclasses.field(default_factory=list)  # Blocks and Quotes, in order
    test: str = None


@dataclasses.dataclass
class Failure:
    status: int
    where: str
    message: str


def parse_markdown(path, shown_as):
    """Returns (blocks, failures): every fenced block, and the marker errors found on the way."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks, failures = [], []
    section = Section("(top)", 1)
    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        if not m:
            if line.startswith("## "):
                section = Section(line[3:].strip(), i + 1)
            t = TEST_LINE.match(line)
            if t and section.test is None:
                section.test = t.group(1)
            c = COUNTS.match(line)
            if c:
                # The quoted output is the next fenced block (after blank lines).
                j = i + 1
                while j < len(lines) and not lines[j].strip():
                    j += 1
                q = Quote(i + 1, int(c.group(2)), int(c.group(4)), [])
                if j < len(lines) and FENCE.match(lines[j]):
                    q.output = fenced_body(lines, j)[0]
                section.events.append(q)
            if LOOSE_MARKER.search(line):
                nxt = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
                if not MARKER.match(line):
                    failures.append(Failure(UNMARKED, f"{shown_as}:{i + 1}",
                                            f"malformed snippet marker: {line.strip()}"))
                elif not nxt or nxt.group(3).lower() not in CPP_INFO:
                    failures.append(Failure(UNMARKED, f"{shown_as}:{i + 1}",
                                            "snippet marker not on the line just before a "
                                            "```cpp block"))
            i += 1
            continue
        body, end = fenced_body(lines, i)
        block = Block(shown_as, i + 1, m.group(3).lower(), body, section=section)
        if i > 0:
            mm = MARKER.match(lines[i - 1])
            if mm:
                block.marker = mm.group(1).strip()
        blocks.append(block)
        section.events.append(block)
        i = end + 1
    return blocks, failures


def fenced_body(lines, start):
    """The lines inside the fence opened at `start`, and the index of its closing fence."""
    m = FENCE.match(lines[start])
    indent, fence = len(m.group(1)), m.group(2)
    close = re.compile("^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$")
    body = []
    j = start + 1
    while j < len(lines) and not close.match(lines[j]):
        line = lines[j]
        # Content indented like the fence loses that indentation (CommonMark).
        body.append(line[min(indent, len(line) - len(line.lstrip(" "))):])
        j += 1
    return body, j


def read_variant(path, positive):
    """PATH as the compiler sees it with (positive) or without -DMMIOTREE_CF_POSITIVE.

    Returns (lines, switched): a list of (text, 1-based line in PATH) without the directive
    lines of `#ifdef MMIOTREE_CF_POSITIVE`, and the indexes (in that list) of the lines that the
    macro switches in. Other conditionals are kept as they are (the compiler resolves them).
    """
    with open(path, encoding="utf-8") as f:
        raw = f.read().split("\n")
    out, switched = [], set()
    stack = []  # per open conditional: None (not ours) or True/False (our branch is active)
    for n, text in enumerate(raw, 1):
        s = text.strip()
        d = re.match(r"#\s*(ifdef|ifndef|if|else|elif|endif)\b\s*(.*)", s)
        if d:
            kind, arg = d.group(1), d.group(2).strip()
            if kind in ("ifdef", "ifndef") and arg == CF_MACRO:
                stack.append((kind == "ifdef") == positive)
                continue
            if kind in ("ifdef", "ifndef", "if"):
                stack.append(None)
            elif kind == "else" and stack and stack[-1] is not None:
                stack[-1] = not stack[-1]
                continue
            elif kind == "endif" and stack:
                if stack.pop() is not None:
                    continue
        ours = [b for b in stack if b is not None]
        if all(ours):
            if ours:
                switched.add(len(out))
            out.append((text, n))
    return out, switched


def norm(line):
    """A line as excerpts compare it: without surrounding whitespace, nor a trailing empty `//`
    (the comment that keeps clang-format from joining a line with the next)."""
    s = line.strip()
    m = re.match(r"^(.*\S)\s+//$", s)
    return m.group(1) if m else s


def split_segments(block_lines):
    """The block cut at its elision lines: the runs of lines that must be contiguous, as lists
    of indexes into `block_lines`."""
    segments = [[]]
    for k, line in enumerate(block_lines):
        if line.strip() in ELISIONS:
            segments.append([])
        else:
            segments[-1].append(k)
    return [seg for seg in segments if seg]


def find_excerpt(block_lines, file_lines, must_cover=()):
    """Where the block's segments lie in `file_lines` (normalised strings), in order, each
    contiguous: a (start, end) range per segment of split_segments(block_lines), or None. Of
    several placements, one that covers every index in `must_cover` if there is one."""
    segments = [[norm(block_lines[k]) for k in seg] for seg in split_segments(block_lines)]
    if not segments:
        return None  # an empty block is no excerpt of anything

    def place(seg, pos):
        for p in range(pos, len(file_lines) - len(seg) + 1):
            if file_lines[p:p + len(seg)] == seg:
                return p
        return None

    found = None
    first = segments[0]
    for start in range(len(file_lines) - len(first) + 1):
        if file_lines[start:start + len(first)] != first:
            continue
        ranges = [(start, start + len(first))]
        for seg in segments[1:]:
            # The earliest placement of each later segment leaves the most room for the next.
            p = place(seg, ranges[-1][1])
            if p is None:
                break
            ranges.append((p, p + len(seg)))
        if len(ranges) < len(segments):
            continue
        if found is None:
            found = ranges
        covered = {k for a, b in ranges for k in range(a, b)}
        if set(must_cover) <= covered:
            return ranges
    return found


class Checker:
    def __init__(self, args):
        self.root = os.path.abspath(args.root)
        self.cxx = args.cxx
        self.cxx_id = args.cxx_id
        implicit = {os.path.normpath(d) for d in args.implicit.split("|") if d}
        incs = [d for d in args.include.split("|") if d] or [os.path.join(self.root, "include")]
        self.flags = ["-std=c++20", "-fdiagnostics-color=never"]
        self.flags += ["-I" + d for d in incs if os.path.normpath(d) not in implicit]
        self.flags += ["-D" + d for d in args.definitions.split("|") if d]
        self.jobs = max(1, args.jobs)
        self.verbose = args.verbose
        self.tmp = tempfile.mkdtemp(prefix="doc-snippets-")
        self.env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        self.counts = {"compile": 0, "excerpt": 0, "fails": 0}
        self.report = []  # what run() found, one line (or indented block) per item

    def path(self, rel):
        return os.path.join(self.root, rel)

    # -- compiling ------------------------------------------------------------------------------

    def run_compiler(self, name, pieces, extra):
        """Writes `pieces` ((text, file, line) triples) as one source with #line directives
        wherever the origin changes, compiles it, and returns (status, output)."""
        src = os.path.join(self.tmp, name + ".cpp")
        out, expect = [], None
        for text, origin, line in pieces:
            if expect != (origin, line):
                out.append(f'#line {line} "{origin}"')
            out.append(text)
            expect = (origin, line + 1)
        with open(src, "w", encoding="utf-8") as f:
            f.write("\n".join(out) + "\n")
        cmd = [self.cxx] + self.flags + extra + [src]
        try:
            r = subprocess.run(cmd, cwd=self.root, env=self.env, capture_output=True, text=True,
                               timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return 124, f"timed out after {TIMEOUT} s: {' '.join(cmd)}"
        return r.returncode, r.stdout + r.stderr

    @staticmethod
    def block_pieces(block):
        return [(t, block.doc, block.fence_line + 1 + k) for k, t in enumerate(block.lines)]

    # -- the three kinds --------------------------------------------------------------------

    def check_compile(self, block, tag):
        name = tag
        obj = os.path.join(self.tmp, name + ".o")
        status, output = self.run_compiler(
            name, self.block_pieces(block),
            ["-Wall", "-Wextra", "-Wpedantic", "-Werror", "-c", "-o", obj])
        if status != 0:
            return [Failure(COMPILE_FAILED, block_where(block),
                            "does not compile with -Wall -Wextra -Wpedantic -Werror:\n"
                            + indent(output))]
        return []

    def check_excerpt(self, block, args):
        if not args or len(args) > 2 or (len(args) == 2 and args[1] != "positive"):
            return [Failure(UNMARKED, block_where(block),
                            "marker must be `snippet: excerpt PATH [positive]`")]
        rel, positive = args[0], len(args) == 2
        if not os.path.isfile(self.path(rel)):
            return [Failure(EXCERPT_DIFFERS, block_where(block), f"{rel}: no such file")]
        variant, switched = read_variant(self.path(rel), positive)
        stripped = [norm(t) for t, _ in variant]
        cover = switched if positive else set()
        ranges = find_excerpt(block.lines, stripped, cover)
        if ranges is None:
            return [Failure(EXCERPT_DIFFERS, block_where(block),
                            f"is not an excerpt of {rel}{' (positive twin)' if positive else ''}"
                            + closest(block.lines, stripped))]
        if positive and not switched:
            return [Failure(NOT_SHOWN, block_where(block),
                            f"`positive`, but {rel} has no #ifdef {CF_MACRO} branch")]
        covered = {k for a, b in ranges for k in range(a, b)}
        missing = sorted(switched - covered)
        if missing:
            return [Failure(NOT_SHOWN, block_where(block),
                            f"does not show the fix of {rel}, line(s) "
                            + ", ".join(str(variant[k][1]) for k in missing))]
        return []

    def check_fails(self, block, args):
        where = block_where(block)
        section = block.section
        quote = next((e for e in section.events[section.events.index(block) + 1:]
                      if isinstance(e, Quote)), None)
        problems = []
        if quote is None or not quote.output:
            problems.append("no `g++ 12 prints (…):` line and quoted output after it")
        if section.test is None:
            problems.append("no `Test: [`tests/compile_fail/<rule>.cpp`]` line in its section")
        elif not os.path.isfile(self.path(section.test)):
            problems.append(f"its section's test {section.test} does not exist")
        if len(args) > 1 or (args and args[0] != section.test):
            problems.append(f"marker must be `snippet: fails` or `snippet: fails {section.test}`")
        if problems:
            return [Failure(UNMARKED, where, "; ".join(problems))]
        expected = documented(quote)
        if isinstance(expected, str):
            return [Failure(UNMARKED, where, expected)]

        test = section.test
        variant, switched = read_variant(self.path(test), positive=False)
        if args:
            stripped = [norm(t) for t, _ in variant]
            ranges = find_excerpt(block.lines, stripped, switched)
            if ranges is None:
                return [Failure(EXCERPT_DIFFERS, where,
                                f"is not an excerpt of {test} (without {CF_MACRO})"
                                + closest(block.lines, stripped))]
            covered = {k for a, b in ranges for k in range(a, b)}
            missing = sorted(switched - covered)
            if missing:
                return [Failure(NOT_SHOWN, where,
                                f"does not show the mistake of {test}, line(s) "
                                + ", ".join(str(variant[k][1]) for k in missing))]
            # The block's own text in place of the lines it matched; what it elides stays.
            pieces, pos = [], 0
            for (a, b), seg in zip(ranges, split_segments(block.lines)):
                pieces += [(t, test, n) for t, n in variant[pos:a]]
                pieces += [(block.lines[k], block.doc, block.fence_line + 1 + k) for k in seg]
                pos = b
            pieces += [(t, test, n) for t, n in variant[pos:]]
        else:
            prelude = [(t, test, n) for t, n in variant
                       if re.match(r"\s*(#\s*include\b|using\s+namespace\b)", t)]
            pieces = prelude + self.block_pieces(block)
        status, output = self.run_compiler(tag_of(block), pieces, ["-fsyntax-only"])
        if status == 0:
            return [Failure(FAILS_COMPILED, where,
                            "compiles, but it shows a mistake: it must not compile")]
        return self.compare(block, expected, quote, output)

    def compare(self, block, expected, quote, output):
        where = block_where(block)
        failures = []
        out_lines = output.split("\n")
        errors = sum(1 for l in out_lines if ERROR_LINE.search(l))
        want = {"GNU": quote.gnu_errors, "Clang": quote.clang_errors}.get(self.cxx_id)
        if want is not None and errors != want:
            failures.append(Failure(
                FAILS_COUNT, where,
                f"{self.cxx_id}: {errors} error(s), but line {quote.line} documents {want}:\n"
                + indent(output)))
        text = normalise_quotes(output)
        wanted = [expected["sentence"]]
        if expected["template"]:
            wanted.append(expected["template"] + "<")
        if self.cxx_id == "GNU":
            wanted.append(expected["error"])
            if expected["instantiation"]:
                wanted.append(expected["instantiation"])
        missing = [w for w in wanted if w not in text]
        if missing:
            failures.append(Failure(
                FAILS_MESSAGE, where,
                f"the output lacks what line {quote.line} quotes:\n"
                + "".join(f"    missing: {w}\n" for w in missing) + indent(output)))
        return failures

    def check_block(self, block):
        if block.marker is None:
            return [Failure(UNMARKED, block_where(block),
                            "C++ block without a `<!-- snippet: compile|excerpt|fails -->` "
                            "marker on the line before it")]
        words = block.marker.split()
        kind, args = (words[0], words[1:]) if words else ("", [])
        if kind == "compile" and not args:
            return self.check_compile(block, tag_of(block))
        if kind == "excerpt":
            return self.check_excerpt(block, args)
        if kind == "fails":
            return self.check_fails(block, args)
        return [Failure(UNMARKED, block_where(block), f"unknown snippet marker `{block.marker}`")]

    def run(self, docs):
        failures, blocks = [], []
        for path in docs:
            shown = os.path.relpath(os.path.abspath(path), self.root)
            b, f = parse_markdown(path, shown)
            blocks += [x for x in b if x.info in CPP_INFO]
            failures += f
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=self.jobs) as pool:
                results = list(pool.map(self.check_block, blocks))
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        for block, result in zip(blocks, results):
            failures += result
            kind = (block.marker or "").split()[:1]
            if not result and kind:
                self.counts[kind[0]] += 1
            if self.verbose:
                self.report.append(f"{block_where(block)}: {'ok' if not result else 'FAILED'} "
                                   f"({block.marker})")
        self.report += [f"{f.where}: {f.message}" for f in failures]
        c = self.counts
        self.report.append(
            f"check-doc-snippets: {len(blocks)} C++ blocks in {len(docs)} file(s), "
            f"{self.cxx} ({self.cxx_id}): {c['compile']} compiled, {c['excerpt']} excerpts, "
            f"{c['fails']} failing as documented, {len(failures)} failure(s)")
        kinds = {f.status for f in failures}
        if not kinds:
            return OK
        return kinds.pop() if len(kinds) == 1 else MIXED


def documented(quote):
    """What a fails block's output must contain, from its section's quoted g++ output; or a
    string saying why the quote cannot be used."""
    lines = [normalise_quotes(l) for l in quote.output]
    error_at = next((k for k, l in enumerate(lines) if re.search(r": (fatal )?error: ", l)), None)
    if error_at is None:
        return f"the output quoted at line {quote.line} has no `error:` line"
    error = re.split(r": (?:fatal )?error: ", lines[error_at], maxsplit=1)[1]
    sentence = None
    m = re.search(r"mmiotree: .*", error)
    if m:
        sentence = m.group(0)
    else:
        for l in lines[error_at + 1:]:
            m = re.search(r'compile_error\("(mmiotree: [^"]*)"\)', l)
            if m:
                sentence = m.group(1)
                break
    if sentence is None:
        return f"the output quoted at line {quote.line} states no `mmiotree: …` sentence"
    inst = None
    template = None
    for l in lines:
        m = re.search(r"In instantiation of '(struct (\S*diag::(\w+))<.*>)':$", l)
        if m:
            inst, template = m.group(1), "diag::" + m.group(3)
            break
    return {"error": error, "sentence": sentence, "instantiation": inst, "template": template}


def closest(block_lines, file_lines):
    """A hint: the first block line the file does not hold, if any."""
    for line in block_lines:
        s = line.strip()
        if s not in ELISIONS and norm(s) not in file_lines:
            return f"; no line of it reads: {s}"
    return "; every line occurs in it, but not in this order or not contiguously"


def block_where(block):
    return f"{block.doc}:{block.fence_line}"


def tag_of(block):
    """A file name for the block's translation unit."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", block.doc) + f"_L{block.fence_line}"


def indent(text):
    lines = text.rstrip("\n").split("\n")
    if len(lines) > 80:  # enough to see the first error; the rest is the same story
        lines = lines[:80] + [f"[… {len(lines) - 80} more lines]"]
    return "".join("    | " + l + "\n" for l in lines)


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cxx", default="g++")
    p.add_argument("--cxx-id", default="GNU", help="CMAKE_CXX_COMPILER_ID: GNU, Clang, …")
    p.add_argument("--include", default="", help="'|'-separated include directories")
    p.add_argument("--implicit", default="", help="'|'-separated directories to drop")
    p.add_argument("--definitions", default="", help="'|'-separated NAME[=VALUE]s")
    p.add_argument("--root", default=here)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--expect", type=int, default=None)
    p.add_argument("--expect-output", default=None,
                   help="with --expect: a regex the report must also match (the reason)")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("files", nargs="*")
    try:
        args = p.parse_args()
    except SystemExit as e:
        sys.exit(USAGE if e.code else 0)
    docs = args.files or ([os.path.join(args.root, "README.md")]
                          + sorted(glob.glob(os.path.join(args.root, "docs", "*.md"))))
    for d in docs:
        if not os.path.isfile(d):
            print(f"check-doc-snippets: {d}: no such file")
            sys.exit(USAGE)
    checker = Checker(args)
    status = checker.run(docs)
    report = "\n".join(checker.report)
    print(report)
    if args.expect is None:
        sys.exit(status)
    if status != args.expect:
        print(f"SENTINEL BROKEN: the check ended with status {status}, expected {args.expect}")
        sys.exit(1)
    if args.expect_output and not re.search(args.expect_output, report):
        print(f"SENTINEL BROKEN: status {status}, but the report does not match "
              f"/{args.expect_output}/: the check failed for another reason")
        sys.exit(1)
    print(f"SENTINEL OK: the check failed with status {status}, as it must")
    sys.exit(0)


if __name__ == "__main__":
    main()
