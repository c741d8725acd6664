#!/usr/bin/env python3
"""bench_tree.py — connlint against `clang -fsyntax-only` on the same files,
with the same flags and the same parallelism, side by side in one run.

Generates a tree of N C files (default 2,000) shaped like a server with a
database layer: a few modules wrap libpq behind their own acquire/release
functions (db_open_K / db_close_K), some files call those wrappers of other
modules (cross-file summaries: a leak there is only visible through them),
and most files never touch the database. Then it times, median of R runs:

  cold tree   connlint on the whole tree vs clang -fsyntax-only on every file
              (clang: the files split in J batches, one front-end process
              (`clang -cc1`, the command `clang -###` prints) per batch, J at
              a time — the parse alone, no process start-up per file)
  handles     one function with 1,000 acquire sites vs its parse
  statements  one 100,000-statement function vs its parse
  warm tree   (when connlint accepts --cache-dir; the tree made a project by
              a .connlint.json at its root) a cold run with an empty cache
              vs clang on every file, a run with nothing changed vs the cold
              run, and a run on one file changed before each run vs
              `clang -fsyntax-only` of that file: min of max(R, 3) runs,
              wall and CPU (user+sys) time
  shards      (when connlint accepts --shard) 4 shards merged vs one run:
              the same results?
  real tree   (with --tree DIR) connlint, no cache, vs clang on every *.c
              of DIR (--tree-rules: connlint's --rules, else its default packs)

A benchmark, not a test: it prints figures and never fails on timing. The
figures in README.md § Benchmarks were printed by this script.

    bench/bench_tree.py [CONNLINT] [--files N] [--jobs J] [--runs R]
                        [--clang CLANG] [--tree DIR [--tree-args 'ARGS'] [--tree-rules PACKS]]
                        [--only cold,handles,statements,warm,shards,tree]
"""
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_analysis  # noqa: E402  (the one-function generator)

DB_H = """#ifndef DB_H
#define DB_H
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
PGconn *PQconnectdb(const char *conninfo);
void PQfinish(PGconn *conn);
PGresult *PQexec(PGconn *conn, const char *query);
void PQclear(PGresult *res);
int PQntuples(const PGresult *res);
#endif
"""

UTIL_H = """#ifndef UTIL_H
#define UTIL_H
#include <stddef.h>
size_t util_hash(const char *s);
int util_clamp(int x, int lo, int hi);
#endif
"""

# Files of each kind per 100: database modules, their callers, the rest.
MODULES_PER_100 = 5
CALLERS_PER_100 = 15


def module_source(k):
    """A database module: wrappers that acquire and release for the caller."""
    return """#include <stdio.h>
#include <string.h>
#include "db.h"
#include "wrap.h"

PGconn *db_open_%(k)d(const char *name)
{
    char info[128];
    snprintf(info, sizeof info, "dbname=%%s", name);
    PGconn *c = PQconnectdb(info);
    if (!c) return NULL;
    return c;
}

void db_close_%(k)d(PGconn *c)
{
    if (c) PQfinish(c);
}

int db_count_%(k)d(PGconn *c, const char *table)
{
    char q[256];
    snprintf(q, sizeof q, "select * from %%s", table);
    PGresult *r = PQexec(c, q);
    if (!r) return -1;
    int n = PQntuples(r);
    PQclear(r);
    return n;
}
""" % {"k": k}


def caller_source(i, k, leak):
    """A file that uses another module's wrappers (and leaks on one path)."""
    early = "return -1;" if leak else "{ db_close_%d(c); return -1; }" % k
    return """#include <string.h>
#include "wrap.h"
#include "util.h"

int handle_request_%(i)d(const char *who, int flags)
{
    PGconn *c = db_open_%(k)d(who);
    if (!c) return -1;
    if (flags & 4) %(early)s
    int n = db_count_%(k)d(c, "items");
    for (int i = 0; i < n && i < 8; i++) flags += util_clamp(i, 0, 3);
    db_close_%(k)d(c);
    return n + (int)strlen(who) + flags;
}
""" % {"i": i, "k": k, "early": early}


def plain_source(i):
    """A file that never touches the database."""
    return """#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

struct item_%(i)d { char name[32]; int weight; };

static int cmp_%(i)d(const void *a, const void *b)
{
    const struct item_%(i)d *x = a, *y = b;
    return x->weight - y->weight;
}

int plain_%(i)d(const char *text, char *out, size_t n)
{
    struct item_%(i)d items[8];
    int count = 0;
    for (const char *p = text; *p && count < 8; p++) {
        if (*p == ',') continue;
        snprintf(items[count].name, sizeof items[count].name, "%%c%%d", *p, count);
        items[count].weight = util_clamp((int)util_hash(p) %% 100, 0, 99);
        count++;
    }
    qsort(items, (size_t)count, sizeof items[0], cmp_%(i)d);
    size_t used = 0;
    for (int k = 0; k < count && used + 34 < n; k++)
        used += (size_t)snprintf(out + used, n - used, "%%s;", items[k].name);
    return count;
}
""" % {"i": i}


def generate_tree(root, n_files):
    inc = os.path.join(root, "include")
    os.makedirs(inc)
    n_modules = max(1, n_files * MODULES_PER_100 // 100)
    n_callers = n_files * CALLERS_PER_100 // 100
    with open(os.path.join(inc, "db.h"), "w") as f:
        f.write(DB_H)
    with open(os.path.join(inc, "util.h"), "w") as f:
        f.write(UTIL_H)
    with open(os.path.join(inc, "wrap.h"), "w") as f:
        f.write('#ifndef WRAP_H\n#define WRAP_H\n#include "db.h"\n')
        for k in range(n_modules):
            f.write("PGconn *db_open_%d(const char *name);\nvoid db_close_%d(PGconn *c);\n"
                    "int db_count_%d(PGconn *c, const char *table);\n" % (k, k, k))
        f.write("#endif\n")
    files = []
    for i in range(n_files):
        sub = os.path.join(root, "src", "d%02d" % (i // 100))
        os.makedirs(sub, exist_ok=True)
        if i < n_modules:
            path, text = os.path.join(sub, "db_%d.c" % i), module_source(i)
        elif i < n_modules + n_callers:
            k = (i * 7) % n_modules
            path, text = os.path.join(sub, "req_%d.c" % i), caller_source(i, k, leak=(i % 5 == 0))
        else:
            path, text = os.path.join(sub, "plain_%d.c" % i), plain_source(i)
        with open(path, "w") as f:
            f.write(text)
        files.append(path)
    return files, ["-I" + inc]


# ---- timing -------------------------------------------------------------

def timed(cmd, runs, cwd=None):
    """Median wall seconds of `runs` runs (after one warm-up) and the last stdout."""
    out = b""
    times = []
    for i in range(runs + 1):
        t = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t
        out = p.stdout
        if i > 0:
            times.append(dt)
    return statistics.median(times), out


def cc1_command(clang, flags):
    """The compiler's own front-end command (`clang -###`) for these flags,
    without its input: `clang -cc1 ... a.c b.c` parses every input in one
    process, so the reference is the parse alone, not process start-ups."""
    probe = os.path.join(tempfile.gettempdir(), "connlint_bench_probe.c")
    with open(probe, "w") as f:
        f.write("int probe;\n")
    p = subprocess.run([clang, "-###", "-fsyntax-only", "-w"] + flags + [probe], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    line = [ln for ln in p.stdout.splitlines() if '"-cc1"' in ln][-1]
    os.unlink(probe)
    args = shlex.split(line)
    if args[-1] == probe:
        args.pop()
    if "-main-file-name" in args:
        i = args.index("-main-file-name")
        del args[i:i + 2]
    return args


def clang_batches(clang, files, flags, jobs):
    """One shell command: J front-end processes at once, each parsing its
    share of the files (clang -fsyntax-only with these flags)."""
    cc1 = cc1_command(clang, flags)
    parts = []
    for k in range(jobs):
        share = files[k::jobs]
        if share:
            parts.append(" ".join(shlex.quote(a) for a in cc1 + share))
    return ["sh", "-c", " & ".join(parts) + " & wait"]


def accepts(connlint, option):
    p = subprocess.run([connlint, "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return option in p.stdout


def row(label, ours, theirs, note=""):
    ratio = ours / theirs if theirs > 0 else float("nan")
    print("%-44s %9.3f %9.3f %7.2fx  %s" % (label, ours, theirs, ratio, note), flush=True)


def count_results(out):
    try:
        return len(json.loads(out or b"[]"))
    except ValueError:
        return -1


def lint_cmd(connlint, jobs, extra, paths, flags):
    return [connlint, "--rules", "libpq", "--format", "json", "--fail-on", "none", "-j", str(jobs)] + \
        extra + paths + ["--"] + flags


# ---- the measurements ---------------------------------------------------

def bench_cold(a, root, files, flags):
    extra = ["--no-cache"] if accepts(a.connlint, "--no-cache") else []
    ours, out = timed(lint_cmd(a.connlint, a.jobs, extra, [os.path.join(root, "src")], flags), a.runs)
    theirs, _ = timed(clang_batches(a.clang, files, flags, a.jobs), a.runs)
    row("cold tree, %d files, -j%d" % (len(files), a.jobs), ours, theirs,
        "%d findings%s" % (count_results(out), prefilter_note(a, extra, [os.path.join(root, "src")], flags)))
    if accepts(a.connlint, "--no-prefilter"):
        full, out2 = timed(lint_cmd(a.connlint, a.jobs, extra + ["--no-prefilter"], [os.path.join(root, "src")],
                                    flags), a.runs)
        row("cold tree, pre-filter off", full, theirs, "%d findings" % count_results(out2))


def prefilter_note(a, extra, paths, flags):
    """", N of M files skipped by the pre-filter" (one more run, --verbose)."""
    if not accepts(a.connlint, "--no-prefilter"):
        return ""
    p = subprocess.run(lint_cmd(a.connlint, a.jobs, extra + ["--verbose"], paths, flags), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    for line in p.stderr.splitlines():
        if "pre-filter:" in line:
            return ", " + line.split("pre-filter:", 1)[1].strip()
    return ""


def bench_one_function(a, tmp, label, source):
    path = os.path.join(tmp, label.replace(" ", "_") + ".c")
    with open(path, "w") as f:
        f.write(source)
    ours, out = timed([a.connlint, "--rules", "libpq", "--format", "json", "--fail-on", "none", "-j", "1", path],
                      a.runs)
    theirs, _ = timed(cc1_command(a.clang, []) + [path], a.runs)
    row(label, ours, theirs, "%d findings" % count_results(out))


def statements_function(n):
    body = [bench_analysis.PRELUDE, "int huge(int x) {\n  PGconn *c = PQconnectdb(\"x\");\n  if (!c) return -1;\n"]
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


def run_once(cmd, cwd=None):
    """Wall and CPU (user+sys of the process) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_of(cmd, runs, cwd=None, before_each=None):
    """Min wall and min CPU seconds over `runs` runs (a noisy shared machine
    only ever makes a run slower)."""
    walls, cpus = [], []
    for _ in range(max(runs, 3)):
        if before_each:
            before_each()
        w, c = run_once(cmd, cwd)
        walls.append(w)
        cpus.append(c)
    return min(walls), min(cpus)


def bench_warm(a, root, files, flags):
    """Cold, warm and one-changed-file runs with the cache, on the tree as a
    project (a .connlint.json at its root: a run on one file takes every
    other file's summaries from the cache), against clang -fsyntax-only."""
    if not accepts(a.connlint, "--cache-dir"):
        print("%-44s (connlint has no --cache-dir: not measured)" % "warm tree / one changed file")
        return
    with open(os.path.join(root, ".connlint.json"), "w") as f:
        f.write('{"version": 1}\n')
    cache = tempfile.mkdtemp(prefix="connlint-cache-")
    try:
        base = lint_cmd(a.connlint, a.jobs, ["--cache-dir", cache], ["src"], flags)
        cold_wall, cold_cpu = run_once(base, root)
        clang_wall, clang_cpu = run_once(clang_batches(a.clang, files, flags, a.jobs))
        row("cold tree, empty cache (vs clang, all files)", cold_wall, clang_wall,
            "CPU %.2f s vs %.2f s" % (cold_cpu, clang_cpu))
        wall, cpu = best_of(base, a.runs, root)
        row("warm tree, nothing changed (vs cold run)", wall, cold_wall, "CPU %.2f s vs %.2f s" % (cpu, cold_cpu))
        changed = next(f for f in files if "req_" in os.path.basename(f))
        rel = os.path.relpath(changed, root)
        edits = [0]

        def edit():  # a real change before every run: the file is parsed again
            edits[0] += 1
            with open(changed, "a") as f:
                f.write("/* change %d */\n" % edits[0])
        one = lint_cmd(a.connlint, a.jobs, ["--cache-dir", cache], [rel], flags)
        ours_wall, ours_cpu = best_of(one, a.runs, root, edit)
        clang_one = [a.clang, "-fsyntax-only", "-w"] + flags + [rel]  # what a user waits for
        theirs_wall, theirs_cpu = best_of(clang_one, a.runs, root)
        row("one changed file in a warm tree", ours_wall, theirs_wall,
            "CPU %.2f s vs %.2f s (%.1fx)" % (ours_cpu, theirs_cpu, ours_cpu / max(theirs_cpu, 1e-3)))
        ours_wall, ours_cpu = best_of(one, a.runs, root)
        row("the same file again, nothing changed", ours_wall, theirs_wall,
            "CPU %.2f s vs %.2f s" % (ours_cpu, theirs_cpu))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        os.remove(os.path.join(root, ".connlint.json"))


def sarif_results(path):
    with open(path) as f:
        doc = json.load(f)
    out = []
    for run in doc.get("runs", []):
        for r in run.get("results", []):
            out.append(json.dumps([r.get("ruleId"), r.get("locations"), r.get("partialFingerprints")],
                                  sort_keys=True))
    return out


def bench_shards(a, root, flags, tmp):
    if not accepts(a.connlint, "--shard"):
        print("%-44s (connlint has no --shard: not measured)" % "sharded N=4 + merge")
        return
    src = os.path.join(root, "src")
    whole = os.path.join(tmp, "whole.sarif")
    base = [a.connlint, "--rules", "libpq", "--format", "sarif", "--fail-on", "none", "-j", str(a.jobs)]
    t = time.perf_counter()
    subprocess.run(base + ["-o", whole, src, "--"] + flags, stderr=subprocess.DEVNULL)
    unsharded = time.perf_counter() - t
    parts = []
    t = time.perf_counter()
    for k in range(1, 5):
        part = os.path.join(tmp, "shard%d.sarif" % k)
        subprocess.run(base + ["--shard", "%d/4" % k, "-o", part, src, "--"] + flags, stderr=subprocess.DEVNULL)
        parts.append(part)
    merged = os.path.join(tmp, "merged.sarif")
    subprocess.run([a.connlint, "merge"] + parts + ["-o", merged], stderr=subprocess.DEVNULL)
    sharded = time.perf_counter() - t
    same = os.path.exists(merged) and sarif_results(merged) == sarif_results(whole)
    row("4 shards one after another + merge", sharded, unsharded,
        "results %s the unsharded run's" % ("equal" if same else "DIFFER from"))


def bench_real_tree(a):
    files = []
    for dirpath, dirnames, filenames in os.walk(a.tree):
        dirnames.sort()
        files += [os.path.join(dirpath, n) for n in sorted(filenames) if n.endswith(".c")]
    flags = shlex.split(a.tree_args)
    # cold: without --no-cache a cache left by an earlier run would answer
    extra = ["--no-cache"] if accepts(a.connlint, "--no-cache") else []
    rules = ["--rules", a.tree_rules] if a.tree_rules else []
    ours, out = timed([a.connlint, "--format", "json", "--fail-on", "none", "--keep-going", "-j", str(a.jobs)] +
                      extra + rules + [a.tree, "--"] + flags, a.runs)
    theirs, _ = timed(clang_batches(a.clang, files, flags, a.jobs), a.runs)
    row("real tree %s, %d files" % (os.path.basename(a.tree.rstrip("/")), len(files)), ours, theirs,
        "%d findings" % count_results(out))


class Args:
    connlint = "build/connlint"
    files = 2000
    jobs = 2
    runs = 3
    clang = "clang"
    tree = None
    tree_args = ""
    tree_rules = None
    only = "cold,handles,statements,warm,shards,tree"


def parse_args(argv):
    a = Args()
    it = iter(argv)
    for x in it:
        if x in ("--files", "--jobs", "--runs"):
            setattr(a, x[2:], int(next(it)))
        elif x in ("--clang", "--tree", "--only"):
            setattr(a, x[2:], next(it))
        elif x == "--tree-args":
            a.tree_args = next(it)
        elif x == "--tree-rules":
            a.tree_rules = next(it)
        else:
            a.connlint = x
    a.connlint = os.path.abspath(a.connlint)
    return a


def main(argv):
    a = parse_args(argv)
    only = set(a.only.split(","))
    version = subprocess.run([a.connlint, "--version"], stdout=subprocess.PIPE, text=True).stdout.split("\n")
    clang_version = subprocess.run([a.clang, "--version"], stdout=subprocess.PIPE, text=True).stdout.split("\n")[0]
    print("connlint: %s (%s)\nclang:    %s\nmachine:  %d cores; median of %d runs after a warm-up\n" % (
        version[0], version[1].strip() if len(version) > 1 else "", clang_version, os.cpu_count(), a.runs))
    print("%-44s %9s %9s %8s" % ("measure", "connlint", "clang", "ratio"))
    tmp = tempfile.mkdtemp(prefix="connlint-bench-")
    try:
        root = os.path.join(tmp, "tree")
        files, flags = generate_tree(root, a.files)
        if "cold" in only:
            bench_cold(a, root, files, flags)
        if "handles" in only:
            bench_one_function(a, tmp, "one function, 1,000 handles", bench_analysis.function(4000, 1000))
        if "statements" in only:
            bench_one_function(a, tmp, "one function, 100,000 statements", statements_function(100000))
        if "warm" in only:
            bench_warm(a, root, files, flags)
        if "shards" in only:
            bench_shards(a, root, flags, tmp)
        if "tree" in only and a.tree:
            bench_real_tree(a)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
