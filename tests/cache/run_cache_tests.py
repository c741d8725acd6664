#!/usr/bin/env python3
"""run_cache_tests.py CONNLINT SOURCE_DIR [TEST...] — the cache, project-
consistent subset runs, --shard and `connlint merge`, end to end:

  subset      on every fixture folder: each file checked alone (warm cache,
              and cold for a few) reports exactly the findings a whole-tree
              run reports for that file
  helpers     a generated project whose release helper and acquire wrapper
              live in files that are not given: the subset run equals the
              whole-tree run (cold and warm), --no-project shows why it
              matters, and editing the helper so it no longer releases makes
              the caller's leak appear on the next subset run
  corrupt     truncated entries, entries of another connlint version and
              altered payloads are ignored and rebuilt, never trusted
  concurrent  several runs on one cache at once all succeed, identically
  shard       --shard K/N for N = 2, 3, 4 merged with `connlint merge` is
              byte-identical to the unsharded SARIF
  summary     --emit-summary's JSON (version 1) says what the helpers do
  summaries   the summaries kept in the cache: a warm run computes none,
              an edited helper (also one in a recursion across files) is
              computed again with the callers whose callees changed, and
              every run equals a whole-tree run without the cache; damaged
              summary entries are rebuilt
Exit 0 when every test passes."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CONNLINT = os.path.abspath(sys.argv[1])
SOURCE = os.path.abspath(sys.argv[2])
FAILURES = []


def fail(test, message):
    FAILURES.append(f"{test}: {message}")
    print(f"FAIL {test}: {message}", file=sys.stderr)


def run(args, cwd, env_extra=None):
    env = dict(os.environ)
    env.pop("XDG_CACHE_HOME", None)
    env["HOME"] = cwd  # no run of this test may use the user's cache
    if env_extra:
        env.update(env_extra)
    p = subprocess.run([CONNLINT] + args, cwd=cwd, capture_output=True, text=True, env=env)
    if p.returncode not in (0, 1, 2):
        fail("run", f"{args} exited {p.returncode}: {p.stderr}")
    return p


def findings(args, cwd):
    p = run(["--format", "json", "--fail-on", "none", "--keep-going"] + args, cwd)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        fail("json", f"{args} in {cwd}: not JSON: {p.stdout[:200]} {p.stderr[:500]}")
        return [], p


def of_file(items, rel):
    return [f for f in items if f["file"] == rel]


def c_files(folder):
    out = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".c"):
                out.append(os.path.relpath(os.path.join(root, name), folder))
    return out


def test_subset_on_fixtures(tmp):
    folders = sorted(d for d in os.listdir(os.path.join(SOURCE, "fixtures"))
                     if os.path.exists(os.path.join(SOURCE, "fixtures", d, ".connlint.json")))
    compared = 0
    for name in folders:
        folder = os.path.join(SOURCE, "fixtures", name)
        cache = os.path.join(tmp, "subset-" + name)
        whole, _ = findings(["--no-cache"], folder)
        warm_whole, _ = findings(["--cache-dir", cache], folder)
        if warm_whole != whole:
            fail("subset", f"{name}: a whole-tree run through the cache differs from one without it")
        files = c_files(folder)
        cold = set(files[:1] + files[len(files) // 2:len(files) // 2 + 1] + files[-1:])
        for rel in files:
            expected = of_file(whole, rel)
            got, _ = findings(["--cache-dir", cache, rel], folder)
            if of_file(got, rel) != expected:
                fail("subset", f"{name}/{rel} (warm cache): {len(of_file(got, rel))} findings, "
                               f"the whole-tree run has {len(expected)}")
            compared += 1
            if rel in cold:
                got, _ = findings(["--cache-dir", os.path.join(tmp, "cold-" + name + "-" + rel.replace("/", "_")), rel], folder)
                if of_file(got, rel) != expected:
                    fail("subset", f"{name}/{rel} (cold cache): {len(of_file(got, rel))} findings, "
                                   f"the whole-tree run has {len(expected)}")
                got, _ = findings(["--no-cache", rel], folder)
                if of_file(got, rel) != expected:
                    fail("subset", f"{name}/{rel} (no cache): differs from the whole-tree run")
    if compared < 50:
        fail("subset", f"only {compared} files compared")


PQ_H = """/* pq.h — the libpq declarations the cache test uses. */
typedef struct pg_conn PGconn;
PGconn *PQconnectdb(const char *conninfo);
void PQfinish(PGconn *conn);
int PQexec_ok(PGconn *conn, const char *sql);
"""
DB_H = """#include "pq.h"
PGconn *db_open(void);
void db_close(PGconn *c);
"""
HELPERS_RELEASING = """#include "db.h"
PGconn *db_open(void)
{
    return PQconnectdb("service=app");
}

void db_close(PGconn *c)
{
    PQfinish(c);
}
"""
HELPERS_NOT_RELEASING = HELPERS_RELEASING.replace("    PQfinish(c);\n", "    (void)c;\n")
USER = """#include "db.h"
int count_users(void)
{
    PGconn *c = db_open();
    if (!c)
        return -1;
    int ok = PQexec_ok(c, "SELECT 1");
    db_close(c);
    return ok;
}
"""
LEAKY = """#include "db.h"
int touch(void)
{
    PGconn *c = db_open();
    if (!c)
        return -1;
    if (!PQexec_ok(c, "UPDATE t SET x = 1"))
        return 0;
    db_close(c);
    return 1;
}
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_project(root):
    write(os.path.join(root, ".connlint.json"),
          '{"version": 1, "rules": ["libpq"], "clang_args": ["-Iinclude"]}\n')
    write(os.path.join(root, "include/pq.h"), PQ_H)
    write(os.path.join(root, "include/db.h"), DB_H)
    write(os.path.join(root, "db/helpers.c"), HELPERS_RELEASING)
    write(os.path.join(root, "app/user.c"), USER)
    write(os.path.join(root, "app/leaky.c"), LEAKY)


def leaks_in(items, rel):
    return [f for f in items if f["file"] == rel and f["rule"] == "connection-leak"]


def test_helpers(tmp):
    root = os.path.join(tmp, "project")
    make_project(root)
    cache = os.path.join(tmp, "project-cache")
    whole, _ = findings(["--no-cache"], root)
    if len(leaks_in(whole, "app/leaky.c")) != 1 or leaks_in(whole, "app/user.c"):
        fail("helpers", f"the whole-tree run should find one leak, in app/leaky.c: {whole}")
    subset = ["app/user.c", "app/leaky.c"]
    for label in ("cold", "warm"):
        got, _ = findings(["--cache-dir", cache] + subset, root)
        if got != [f for f in whole if f["file"] in subset]:
            fail("helpers", f"subset run ({label} cache) differs from the whole-tree run: {got}")
    alone, _ = findings(["--no-cache", "--no-project", "app/leaky.c"], root)
    if leaks_in(alone, "app/leaky.c"):
        fail("helpers", "with --no-project the wrapper in db/helpers.c should be unknown (no leak seen)")
    # the helper stops releasing: the caller in an unchanged file now leaks
    write(os.path.join(root, "db/helpers.c"), HELPERS_NOT_RELEASING)
    got, p = findings(["--cache-dir", cache, "-v", "app/user.c"], root)
    if len(leaks_in(got, "app/user.c")) != 1:
        fail("helpers", f"after the edit, app/user.c checked alone should leak: {got} {p.stderr}")
    whole_after, _ = findings(["--no-cache"], root)
    if got != of_file(whole_after, "app/user.c"):
        fail("helpers", "after the edit, the subset run differs from the whole-tree run")
    if "1 files parsed" not in p.stderr:
        fail("helpers", f"only the edited file should be parsed again: {p.stderr}")
    # and back
    write(os.path.join(root, "db/helpers.c"), HELPERS_RELEASING)
    got, _ = findings(["--cache-dir", cache, "app/user.c"], root)
    if leaks_in(got, "app/user.c"):
        fail("helpers", "with the release restored, app/user.c should be clean again")


def entries(cache):
    out = []
    for root, _, files in os.walk(cache):
        out += [os.path.join(root, f) for f in files if not f.startswith(".tmp.")]
    return sorted(out)


def stats(stderr):
    for line in stderr.splitlines():
        if "cache " in line and "units" in line:
            return line
    return ""


def test_corrupt(tmp):
    root = os.path.join(tmp, "project")
    cache = os.path.join(tmp, "corrupt-cache")
    expected, _ = findings(["--no-cache"], root)
    findings(["--cache-dir", cache], root)
    damages = {
        "truncated": lambda data: data[: len(data) // 2],
        "another version": lambda data: data.replace(b" 0.", b" 9.", 1),
        "altered payload": lambda data: data[:-1] + bytes([data[-1] ^ 0x55]),
        "empty": lambda data: b"",
    }
    for label, damage in damages.items():
        files = entries(cache)
        if not files:
            fail("corrupt", "no cache entries were written")
            return
        for path in files:
            with open(path, "rb") as f:
                data = f.read()
            with open(path, "wb") as f:
                f.write(damage(data))
        got, p = findings(["--cache-dir", cache, "-v"], root)
        if got != expected:
            fail("corrupt", f"{label}: findings differ from a run without cache")
        line = stats(p.stderr)
        if "units 0 from cache" not in line or "results 0 from cache" not in line:
            fail("corrupt", f"{label}: damaged entries were used: {line}")
        got, p = findings(["--cache-dir", cache, "-v"], root)
        line = stats(p.stderr)
        if got != expected or "units 3 from cache" not in line or "results 3 from cache" not in line:
            fail("corrupt", f"{label}: the rebuilt entries are not used by the next run: {line}")


def test_concurrent(tmp):
    root = os.path.join(tmp, "project")
    expected = run(["--no-cache", "--format", "sarif"], root)
    for round_ in range(3):
        cache = os.path.join(tmp, f"concurrent-{round_}")
        env = dict(os.environ, HOME=root)
        env.pop("XDG_CACHE_HOME", None)
        procs = [subprocess.Popen([CONNLINT, "--cache-dir", cache, "--format", "sarif", "-j1"], cwd=root,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(4)]
        outs = [p.communicate() for p in procs]
        for p, (out, err) in zip(procs, outs):
            if p.returncode != expected.returncode or out.decode() != expected.stdout:
                fail("concurrent", f"round {round_}: a concurrent run differs (exit {p.returncode}): {err.decode()}")
        if any(e.startswith(".tmp.") for _, _, fs in os.walk(cache) for e in fs):
            fail("concurrent", "temporary files were left behind")


def shard_and_merge(label, folder, tmp, extra):
    out = os.path.join(tmp, "shards-" + label)
    os.makedirs(out, exist_ok=True)
    whole = run(["--format", "sarif", "--no-cache"] + extra, folder)
    for n in (2, 3, 4):
        parts = []
        for k in range(1, n + 1):
            part = os.path.join(out, f"{n}-{k}.sarif")
            run(["--format", "sarif", "--cache-dir", os.path.join(out, "cache"), "--shard", f"{k}/{n}",
                 "-o", part] + extra, folder)
            parts.append(part)
        merged = os.path.join(out, f"{n}-merged.sarif")
        p = run(["merge"] + parts + ["-o", merged], folder)
        if p.returncode != 0:
            fail("shard", f"{label}: merge failed: {p.stderr}")
            continue
        with open(merged) as f:
            text = f.read()
        if text != whole.stdout:
            fail("shard", f"{label}: {n} shards merged differ from the unsharded SARIF")
    results = json.loads(whole.stdout)["runs"][0]["results"]
    return len(results)


def test_shard(tmp):
    n = shard_and_merge("demo", os.path.join(SOURCE, "fixtures", "demo"), tmp, [])
    n += shard_and_merge("realworld", os.path.join(SOURCE, "fixtures", "realworld"), tmp, [])
    n += shard_and_merge("project", os.path.join(tmp, "project"), tmp, [])
    if n < 10:
        fail("shard", f"only {n} results compared")
    p = run(["--shard", "3/2"], tmp)
    if p.returncode != 2:
        fail("shard", "--shard 3/2 should be a usage error")


def test_summary(tmp):
    root = os.path.join(tmp, "project")
    path = os.path.join(tmp, "summaries.json")
    run(["--no-cache", "--emit-summary", path], root)
    with open(path) as f:
        doc = json.load(f)
    if doc.get("version") != 1 or doc.get("format") != "connlint-summaries":
        fail("summary", f"no version 1 header: {doc}")
    fns = {fn["name"]: fn for file in doc["files"] for fn in file["functions"]}
    if fns.get("db_close", {}).get("params", [{}])[0].get("effect") != "releases":
        fail("summary", f"db_close should release its parameter: {fns.get('db_close')}")
    acq = fns.get("db_open", {}).get("acquires") or {}
    if acq.get("resource") != "libpq/pg-conn" or acq.get("result") != "return":
        fail("summary", f"db_open should acquire a pg-conn: {fns.get('db_open')}")


RING_H = """#include "pq.h"
void ring_release(PGconn *c, int n);
void ring_pass(PGconn *c, int n);
"""
RING_A = """#include "ring.h"
void ring_release(PGconn *c, int n)
{
    if (n <= 0) {
        PQfinish(c);
        return;
    }
    ring_pass(c, n - 1);
}
"""
RING_B = """#include "ring.h"
void ring_pass(PGconn *c, int n)
{
    ring_release(c, n);
}
"""
RING_USER = """#include "db.h"
#include "ring.h"
void ring_user(void)
{
    PGconn *c = db_open();
    if (!c)
        return;
    ring_release(c, 0);
}
"""


def summary_stats(stderr):
    """(functions from cache, computations, entries rebuilt) of a -v run."""
    for line in stderr.splitlines():
        if line.startswith("connlint: summaries: "):
            words = line.split()
            return int(words[2]), int(words[6]), int(words[8].lstrip("("))
    return None


def test_summaries(tmp):
    root = os.path.join(tmp, "summaries-project")
    make_project(root)
    write(os.path.join(root, "include/ring.h"), RING_H)
    write(os.path.join(root, "ring/ring_a.c"), RING_A)
    write(os.path.join(root, "ring/ring_b.c"), RING_B)
    write(os.path.join(root, "app/ring_user.c"), RING_USER)
    cache = os.path.join(tmp, "summaries-cache")
    subset = ["app/user.c", "app/ring_user.c"]

    def same_as_scratch(label, args):
        whole, _ = findings(["--no-cache"], root)
        got, p = findings(["--cache-dir", cache, "-v"] + args, root)
        given = args or [f["file"] for f in whole]
        if got != [f for f in whole if f["file"] in given]:
            fail("summaries", f"{label}: differs from a whole-tree run without cache: {got} vs {whole}")
        st = summary_stats(p.stderr)
        if st is None:
            fail("summaries", f"{label}: -v does not report the summaries: {p.stderr}")
            return got, (0, 0, 0)
        return got, st

    _, cold = same_as_scratch("cold", subset)
    n_functions = 7  # db_open db_close count_users touch ring_release ring_pass ring_user
    if cold[0] != 0 or cold[1] < n_functions:
        fail("summaries", f"cold: every summary should be computed: {cold}")
    _, warm = same_as_scratch("warm", subset)
    if warm != (n_functions, 0, 0):
        fail("summaries", f"warm: every summary should come from the cache, none computed: {warm}")
    same_as_scratch("warm, whole tree", [])
    # a helper no longer releases: the caller in an unchanged file leaks
    write(os.path.join(root, "db/helpers.c"), HELPERS_NOT_RELEASING)
    got, st = same_as_scratch("helper edited", ["app/user.c"])
    if len(leaks_in(got, "app/user.c")) != 1:
        fail("summaries", f"helper edited: app/user.c should leak: {got}")
    if st[1] == 0 or st[0] == 0:
        fail("summaries", f"helper edited: the helper should be computed, the others taken: {st}")
    # a member of a recursion across files no longer releases
    _, before = same_as_scratch("before the recursion edit", ["app/ring_user.c"])
    write(os.path.join(root, "ring/ring_a.c"), RING_A.replace("        PQfinish(c);\n", "        (void)c;\n"))
    got, st = same_as_scratch("recursion edited", ["app/ring_user.c"])
    if len(leaks_in(got, "app/ring_user.c")) != 1:
        fail("summaries", f"recursion edited: app/ring_user.c should leak: {got}")
    if st[1] < 2:
        fail("summaries", f"recursion edited: both members should be computed again: {st}")
    write(os.path.join(root, "ring/ring_a.c"), RING_A)
    same_as_scratch("recursion restored", ["app/ring_user.c"])
    # damaged summary entries are ignored and rebuilt
    damaged = [f for f in entries(cache) if os.sep + "summary" + os.sep in f]
    if not damaged:
        fail("summaries", "no summary entries were written")
    for i, path in enumerate(damaged):
        with open(path, "rb") as f:
            data = f.read()
        nl = data.index(b"\n") + 1
        # truncated; or a payload cut short under a header that matches it
        with open(path, "wb") as f:
            f.write(data[: len(data) // 2] if i % 2 else data[:nl])
    _, st = same_as_scratch("damaged entries", subset)
    if st[2] == 0 or st[0] != 0:
        fail("summaries", f"damaged entries: they should be rebuilt, none used: {st}")
    _, st = same_as_scratch("after the rebuild", subset)
    if st[1] != 0 or st[2] != 0:
        fail("summaries", f"after the rebuild: every summary should come from the cache: {st}")


TESTS = {"summaries": test_summaries, "helpers": test_helpers, "corrupt": test_corrupt, "concurrent": test_concurrent,
         "shard": test_shard, "summary": test_summary, "subset": test_subset_on_fixtures}


def main():
    chosen = sys.argv[3:] or list(TESTS)
    tmp = tempfile.mkdtemp(prefix="connlint-cache-")
    try:
        make_project(os.path.join(tmp, "project"))
        for name in chosen:
            TESTS[name](tmp)
            print(f"{name}: {'ok' if not any(f.startswith(name) for f in FAILURES) else 'FAILED'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} failures", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
