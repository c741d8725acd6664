#!/usr/bin/env python3
"""bench_analysis.py — how the whole analysis scales with function size and
with the number of handles in one function.

Generates one C function per size with libpq connections and results:
blocks made of ifs, early returns, gotos to a cleanup ladder and loops, with
H handles acquired along the way (half of them leaking on some path, so the
path reconstruction runs too). Times `connlint --rules libpq --format json`
(parse + summaries + checks + report) and `connlint --dump-cfg` (parse
only) on the same file, best of N runs, and prints the analysis share per
block and per (block x handle): flat columns mean linear growth.
With --linear it prints instead the shapes that must stay linear, each
against its parse by the compiler (`clang -fsyntax-only`, the front-end
command `clang -###` prints, on the same file): one handle with 20,000
early returns (every one a leak), a 50,000-case switch, one function with
1,000 handles, and a 100,000-statement function; times (wall, and CPU =
user + system, which a loaded machine disturbs less) are the best of N
runs, peak RSS that of connlint, which runs without its cache.
A benchmark, not a test: it never fails on timing.

    bench/bench_analysis.py [CONNLINT] [--runs N] [--linear] [--clang CLANG]
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

PRELUDE = """typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
PGconn *PQconnectdb(const char *);
void PQfinish(PGconn *);
PGresult *PQexec(PGconn *, const char *);
void PQclear(PGresult *);
int PQntuples(const PGresult *);
int work(PGconn *, int);
"""


def function(blocks, handles):
    """About `blocks` basic blocks and `handles` acquire sites in one function."""
    out = [PRELUDE, "int big(int x) {\n"]
    for h in range(handles):
        out.append("  PGconn *c%d = 0;\n" % h)
    per = max(1, blocks // max(1, handles) // 4)
    for h in range(handles):
        out.append('  c%d = PQconnectdb("n%d");\n  if (!c%d) goto out;\n' % (h, h, h))
        for i in range(per):
            k = i % 4
            if k == 0:
                out.append("  if (x == %d) { x += work(c%d, %d); }\n" % (i, h, i))
            elif k == 1:
                out.append("  for (int i = 0; i < x; i++) if (work(c%d, i)) break;\n" % h)
            elif k == 2:
                out.append("  if (x < -%d) goto out;\n" % (i + 1))
            else:
                leak = "return -1;" if h % 2 else "{ PQfinish(c%d); return -1; }" % h
                out.append("  if (x == -%d) %s\n" % (i + 7, leak if i == 3 else "x++;"))
    out.append("out:\n")
    for h in reversed(range(handles)):
        out.append("  if (c%d) PQfinish(c%d);\n" % (h, h))
    out.append("  return x;\n}\n")
    return "".join(out)


def returns_function(n):
    """One handle, n early returns, each leaking it."""
    out = [PRELUDE, "int rets(int x) {\n  PGconn *c = PQconnectdb(\"x\");\n  if (!c) return -1;\n"]
    for i in range(n):
        out.append("  if (x == %d) return -1;\n" % i)
    out.append("  PQfinish(c);\n  return x;\n}\n")
    return "".join(out)


def switch_function(n):
    """One handle and an n-case switch; one case in 100 leaks it."""
    out = [PRELUDE, "int sw(int x) {\n  PGconn *c = PQconnectdb(\"x\");\n  if (!c) return -1;\n  switch (x) {\n"]
    for i in range(n):
        if i % 100 == 7:
            out.append("  case %d: return %d;\n" % (i, i))
        elif i % 3 == 0:
            out.append("  case %d: x = work(c, %d); break;\n" % (i, i))
        else:
            out.append("  case %d: x += %d; break;\n" % (i, i))
    out.append("  default: break;\n  }\n  PQfinish(c);\n  return x;\n}\n")
    return "".join(out)


def statements_function(n):
    """One handle, released at the end, across n statements (ifs, gotos, arithmetic)."""
    body = [PRELUDE, "int huge(int x) {\n  PGconn *c = PQconnectdb(\"x\");\n  if (!c) return -1;\n"]
    for i in range(n):
        k = i % 5
        if k == 0:
            body.append("  x += %d;\n" % i)
        elif k == 1:
            body.append("  if (x > %d) x -= work(c, %d);\n" % (i, i))
        elif k == 2:
            body.append("  x ^= x >> 3;\n")
        elif k == 3:
            body.append("  if (x == -%d) goto out;\n" % (i + 1))
        else:
            body.append("  x = x * 3 + 1;\n")
    body.append("out:\n  PQfinish(c);\n  return x;\n}\n")
    return "".join(body)


def cc1_command(clang):
    """The compiler's own front-end command for -fsyntax-only (`clang -###`), without its input."""
    probe = os.path.join(tempfile.gettempdir(), "connlint_bench_probe_%d.c" % os.getpid())
    with open(probe, "w") as f:
        f.write("int probe;\n")
    p = subprocess.run([clang, "-###", "-fsyntax-only", "-w", probe], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    os.unlink(probe)
    args = shlex.split([ln for ln in p.stdout.splitlines() if '"-cc1"' in ln][-1])
    if args[-1] == probe:
        args.pop()
    if "-main-file-name" in args:
        i = args.index("-main-file-name")
        del args[i:i + 2]
    return args


GNU_TIME = "/usr/bin/time"


def best_run(cmd, runs):
    """Best wall and CPU seconds of `runs` runs, the largest peak RSS (MiB,
    -1 unknown) and the last stdout. The peak RSS comes from GNU time when
    there is one: a child of this (large) Python process inherits its
    high-water mark, so wait4's ru_maxrss would report Python's."""
    best, cpu, rss, out = None, None, -1.0, b""
    gnu_time = os.access(GNU_TIME, os.X_OK)
    for _ in range(runs):
        with tempfile.NamedTemporaryFile("r", suffix=".rss") as rf:
            full = [GNU_TIME, "-q", "-f", "%M", "-o", rf.name] + cmd if gnu_time else cmd
            t = time.perf_counter()
            p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            out = p.stdout.read()
            _, _, ru = os.wait4(p.pid, 0)
            dt = time.perf_counter() - t
            p.returncode = 0
            if gnu_time:
                try:
                    rss = max(rss, int(rf.read().split()[-1]) / 1024.0)
                except (ValueError, IndexError):
                    pass
        best = dt if best is None else min(best, dt)
        c = ru.ru_utime + ru.ru_stime
        cpu = c if cpu is None else min(cpu, c)
    return best, cpu, rss, out


def linear(connlint, clang, runs):
    cases = [("one handle, 20,000 early returns", returns_function(20000)),
             ("switch, 50,000 cases", switch_function(50000)),
             ("one function, 1,000 handles", function(4000, 1000)),
             ("one function, 100,000 statements", statements_function(100000))]
    cc1 = cc1_command(clang)
    print("%-34s %10s %10s %8s %8s %8s %7s %7s %8s" % ("shape", "connlint s", "CPU s", "RSS MiB", "clang s",
                                                   "CPU s", "wall x", "CPU x", "findings"))
    with tempfile.TemporaryDirectory() as tmp:
        for label, source in cases:
            path = os.path.join(tmp, "case.c")
            with open(path, "w") as f:
                f.write(source)
            ours, ours_cpu, rss, out = best_run([connlint, "--no-cache", "--rules", "libpq", "--format", "json",
                                                 "--fail-on", "none", "-j", "1", path], runs)
            theirs, theirs_cpu, _, _ = best_run(cc1 + [path], runs)
            try:
                findings = len(json.loads(out or b"[]"))
            except ValueError:
                findings = -1
            print("%-34s %10.3f %10.3f %8.1f %8.3f %8.3f %6.2fx %6.2fx %8d" % (
                label, ours, ours_cpu, rss, theirs, theirs_cpu, ours / theirs, ours_cpu / max(theirs_cpu, 1e-6),
                findings), flush=True)
    return 0


def best_time(cmd, runs):
    best = None
    out = b""
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t
        out = p.stdout
        best = dt if best is None else min(best, dt)
    return best, out


def count_blocks(connlint, path):
    p = subprocess.run([connlint, "--dump-cfg", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return sum(1 for line in p.stdout.splitlines() if line.strip().startswith("B") and line.strip().endswith(":"))


def main(argv):
    connlint = "build/connlint"
    runs = 3
    clang = "clang"
    lin = False
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--runs":
            runs = int(args.pop(0))
        elif a == "--clang":
            clang = args.pop(0)
        elif a == "--linear":
            lin = True
        else:
            connlint = a
    connlint = os.path.abspath(connlint)
    if lin:
        return linear(connlint, clang, runs)
    sizes = [(1000, 10), (2000, 10), (5000, 10), (10000, 10), (1000, 50), (10000, 50), (10000, 100)]
    print("%8s %8s %8s %10s %10s %10s %12s %14s" % ("target", "blocks", "handles", "total s", "parse s",
                                                   "analysis s", "us/block", "us/block/hdl"))
    with tempfile.TemporaryDirectory() as tmp:
        for blocks, handles in sizes:
            path = os.path.join(tmp, "big_%d_%d.c" % (blocks, handles))
            with open(path, "w") as f:
                f.write(function(blocks, handles))
            nblocks = count_blocks(connlint, path)
            total, out = best_time([connlint, "--no-cache", "--rules", "libpq", "--format", "json", "--fail-on", "none",
                                    "-j", "1", path], runs)
            parse, _ = best_time([connlint, "--dump-cfg", path], runs)
            try:
                findings = len(json.loads(out or b"[]"))
            except ValueError:
                findings = -1
            analysis = max(0.0, total - parse)
            print("%8d %8d %8d %10.3f %10.3f %10.3f %12.2f %14.3f   (%d findings)" % (
                blocks, nblocks, handles, total, parse, analysis, 1e6 * analysis / max(1, nblocks),
                1e6 * analysis / max(1, nblocks * handles), findings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
