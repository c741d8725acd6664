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
A benchmark, not a test: it never fails on timing.

    bench/bench_analysis.py [CONNLINT] [--runs N]
"""
import json
import os
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
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--runs":
            runs = int(args.pop(0))
        else:
            connlint = a
    connlint = os.path.abspath(connlint)
    sizes = [(1000, 10), (2000, 10), (5000, 10), (10000, 10), (1000, 50), (10000, 50), (10000, 100)]
    print("%8s %8s %8s %10s %10s %10s %12s %14s" % ("target", "blocks", "handles", "total s", "parse s",
                                                   "analysis s", "us/block", "us/block/hdl"))
    with tempfile.TemporaryDirectory() as tmp:
        for blocks, handles in sizes:
            path = os.path.join(tmp, "big_%d_%d.c" % (blocks, handles))
            with open(path, "w") as f:
                f.write(function(blocks, handles))
            nblocks = count_blocks(connlint, path)
            total, out = best_time([connlint, "--rules", "libpq", "--format", "json", "--fail-on", "none",
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
