#!/usr/bin/env python3
"""bench_jobs.py — what -j buys after the parse: the summaries and the
checks run on -j threads. Interleaved pairs of whole-process runs (the
order inside a pair alternates), `--no-cache`, on

  tree       bench_tree.py's generated tree (N files, cross-file wrappers;
             the parse dominates)
  checks     16 files, each one function of bench_analysis.py's shape with
             1,500 blocks and 30 handles (the checks dominate)
  handles    one function with 1,000 handles (bench_analysis.py --linear's
             case: one function is one task, -j cannot split it)

and for each: this connlint -j J against BASE -j J (another build, e.g.
the one before this work), and this connlint -j 1 against -j J. Prints the
medians of wall and CPU (user + system) seconds, the median per-pair ratio,
and for this connlint the median time of its summaries and checks
(`--verbose`). Prints the load average before and after: on a shared
machine read CPU more than wall. A benchmark, not a test.

    bench/bench_jobs.py CONNLINT [--base BASE] [--jobs J] [--files N]
                        [--pairs P] [--only tree,checks,handles]
"""
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_analysis  # noqa: E402
import bench_tree  # noqa: E402

STAGES = re.compile(rb"([0-9.]+) s parse, ([0-9.]+) s summaries, ([0-9.]+) s checks")


def run(connlint, jobs, paths, cwd, flags):
    cmd = [connlint, "--no-cache", "--rules", "libpq", "--format", "json", "--fail-on", "none",
           "-j", str(jobs), "--verbose"] + paths + (["--"] + flags if flags else [])
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = time.perf_counter() - t
    return wall, out, err


def timed(connlint, jobs, paths, cwd, flags):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall, out, err = run(connlint, jobs, paths, cwd, flags)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m = STAGES.search(err)
    stages = (float(m.group(2)), float(m.group(3))) if m else None
    return wall, cpu, out, stages


def pairs(label, a, b, n, paths, cwd, flags):
    """a, b: (name, connlint, jobs). Interleaved n pairs; prints one row per side and the ratios."""
    rows = {a[0]: [], b[0]: []}
    outs = {}
    for i in range(n):
        order = (a, b) if i % 2 == 0 else (b, a)
        for name, connlint, jobs in order:
            wall, cpu, out, stages = timed(connlint, jobs, paths, cwd, flags)
            rows[name].append((wall, cpu, stages))
            outs[name] = out
    same = "same findings" if outs[a[0]] == outs[b[0]] else "FINDINGS DIFFER"
    for name in (a[0], b[0]):
        r = rows[name]
        st = [s for _, _, s in r if s]
        stage = "summaries %.3f s, checks %.3f s" % (statistics.median(s[0] for s in st),
                                                     statistics.median(s[1] for s in st)) if st else ""
        print("  %-10s %-22s wall %8.3f s  CPU %8.3f s  %s" % (label, name, statistics.median(x[0] for x in r),
                                                             statistics.median(x[1] for x in r), stage))
    wr = statistics.median(x[0] / y[0] for x, y in zip(rows[a[0]], rows[b[0]]))
    cr = statistics.median(x[1] / y[1] for x, y in zip(rows[a[0]], rows[b[0]]))
    print("  %-10s %s / %s: wall x %.3f, CPU x %.3f (%s)" % (label, a[0], b[0], wr, cr, same), flush=True)


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    connlint = os.path.abspath(argv[0])
    base, jobs, files, n_pairs, only = None, 2, 1000, 3, {"tree", "checks", "handles"}
    i = 1
    while i < len(argv):
        if argv[i] == "--base":
            base = os.path.abspath(argv[i + 1])
        elif argv[i] == "--jobs":
            jobs = int(argv[i + 1])
        elif argv[i] == "--files":
            files = int(argv[i + 1])
        elif argv[i] == "--pairs":
            n_pairs = int(argv[i + 1])
        elif argv[i] == "--only":
            only = set(argv[i + 1].split(","))
        else:
            sys.exit(__doc__)
        i += 2
    print("load average before: %.2f %.2f %.2f; %d processors" % (os.getloadavg() + (os.cpu_count(),)))
    with tempfile.TemporaryDirectory() as tmp:
        cases = []
        if "tree" in only:
            root = os.path.join(tmp, "tree")
            _, flags = bench_tree.generate_tree(root, files)
            cases.append(("tree", ["src"], root, flags))
        if "checks" in only:
            root = os.path.join(tmp, "checks")
            os.makedirs(root)
            for k in range(16):
                with open(os.path.join(root, "h%02d.c" % k), "w") as f:
                    f.write(bench_analysis.function(1500, 30).replace("int big(", "int big%d(" % k))
            cases.append(("checks", ["."], root, []))
        if "handles" in only:
            root = os.path.join(tmp, "handles")
            os.makedirs(root)
            with open(os.path.join(root, "case.c"), "w") as f:
                f.write(bench_analysis.function(4000, 1000))
            cases.append(("handles", ["case.c"], root, []))
        for label, paths, cwd, flags in cases:
            if base:
                pairs(label, ("this -j%d" % jobs, connlint, jobs), ("base -j%d" % jobs, base, jobs), n_pairs,
                      paths, cwd, flags)
            pairs(label, ("this -j%d" % jobs, connlint, jobs), ("this -j1", connlint, 1), n_pairs, paths, cwd, flags)
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
