#!/usr/bin/env python3
"""bench_parse.py — how the parse stage (libclang parse + IR build) scales.

Generates C functions of growing size — straight code mixed with ifs, gotos
and loops (1k to 10k statements), 250-deep nesting, a 2,000-case switch,
&& chains of 1k to 10k terms — and times `connlint --dump-cfg FILE` on each
(best of N runs, output discarded). When a clang binary is found, the
same file is also timed with `clang -fsyntax-only` (the front end libclang
runs), so the time of connlint's own IR building shows as the difference.
Prints a table with the time per unit of size, so linear growth shows as a
flat column. A benchmark, not a test: it never fails on timing.

    bench/bench_parse.py [CONNLINT] [--runs N]
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

PRELUDE = "typedef struct conn conn;\nconn *acquire(int);\nvoid release(conn *);\nint work(conn *, int);\n"


def statements(n):
    """n statements: calls, ifs, loops and gotos, in one function."""
    out = [PRELUDE, "int big(int x) {\n  conn *c = acquire(x);\n  if (!c) return -1;\n"]
    for i in range(n):
        k = i % 5
        if k == 0:
            out.append("  x += work(c, %d);\n" % i)
        elif k == 1:
            out.append("  if (x > %d) { release(c); c = acquire(x); }\n" % i)
        elif k == 2:
            out.append("  for (int i%d = 0; i%d < x; i%d++) if (work(c, i%d)) break;\n" % (i, i, i, i))
        elif k == 3:
            out.append("  if (x == %d) goto l%d;\n  x--;\nl%d:\n" % (i, i, i))
        else:
            out.append("  while (work(c, x) < %d) x++;\n" % i)
    out.append("  release(c);\n  return x;\n}\n")
    return "".join(out)


def nesting(depth):
    body = ["int nest(int x) {\n"]
    body += ["  if (x > %d) {\n    x++;\n" % i for i in range(depth)]
    body += ["  }\n"] * depth
    body.append("  return x;\n}\n")
    return "".join(body)


def switch(cases):
    out = [PRELUDE, "int sw(int x) {\n  int r = 0;\n  switch (x) {\n"]
    out += ["  case %d: r = work(0, %d); break;\n" % (i, i) for i in range(cases)]
    out.append("  default: r = -1;\n  }\n  return r;\n}\n")
    return "".join(out)


def chain(terms):
    cond = " && ".join("p[%d] == %d" % (i, i) for i in range(terms))
    return "int chain(int *p) {\n  if (%s)\n    return 1;\n  return 0;\n}\n" % cond


def find_clang():
    found = shutil.which("clang")
    if found:
        return found
    for cand in sorted(glob.glob("/usr/lib/llvm-*/bin/clang"), reverse=True):
        return cand
    return None


def best_time(cmd, runs):
    best = None
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t0
        if p.returncode != 0:
            return None, p.stderr.decode(errors="replace").strip()
        best = dt if best is None else min(best, dt)
    return best, ""


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    connlint = os.path.join(here, "..", "build", "connlint")
    runs = 3
    args = argv[1:]
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    if args:
        connlint = args[0]
    cases = [("statements", n, statements(n)) for n in (1000, 2000, 5000, 10000)]
    cases += [("nesting", d, nesting(d)) for d in (50, 100, 250)]
    cases += [("switch cases", n, switch(n)) for n in (500, 1000, 2000)]
    cases += [("&& terms", n, chain(n)) for n in (1000, 2000, 5000, 10000)]
    clang = find_clang()
    print("%-14s %7s %9s %9s %11s %9s %11s" % ("shape", "size", "bytes", "connlint", "us/unit",
                                               "clang", "ours us/unit"))
    with tempfile.TemporaryDirectory() as tmp:
        for shape, size, text in cases:
            path = os.path.join(tmp, "bench_%s_%d.c" % (shape.split()[0].strip("&"), size))
            with open(path, "w") as f:
                f.write(text)
            secs, err = best_time([connlint, "--dump-cfg", path], runs)
            if secs is None:
                print("%-14s %7d %9d %9s  %s" % (shape, size, len(text), "failed", err[:60]))
                continue
            front = best_time([clang, "-fsyntax-only", "-w", path], runs)[0] if clang else None
            row = "%-14s %7d %9d %9.3f %11.1f" % (shape, size, len(text), secs, secs / size * 1e6)
            if front is not None:
                row += " %9.3f %11.1f" % (front, max(secs - front, 0.0) / size * 1e6)
            print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
