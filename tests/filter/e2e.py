#!/usr/bin/env python3
"""e2e.py — end-to-end tests of the filter stage and the per-request rule
through the connlint binary: unused suppressions and suppression warnings,
SARIF in-source suppressions, --baseline / --write-baseline, configured
levels, and --handlers given on the command line.

Usage: e2e.py CONNLINT CASE    (CASE: one of the names in CASES below)

Each case builds a small project in a temporary folder (never touching the
repository), runs connlint there and checks its JSON/SARIF output, exit
status and standard error. Prints what failed and exits 1 on any failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

DB_H = """\
typedef struct pg_conn PGconn;
PGconn *PQconnectdb(const char *conninfo);
void PQfinish(PGconn *conn);
int db_exec(PGconn *db, const char *sql, const char *arg);
"""

# One function per violation: acquire (per request), release, no leak.
def repo_function(name, suppression=""):
    return (
        f"int {name}(void)\n"
        "{\n"
        f"    PGconn *c = PQconnectdb(\"dbname=app\");{suppression}\n"
        "    if (!c)\n"
        "        return -1;\n"
        "    int rc = db_exec(c, \"SELECT 1\", 0);\n"
        "    PQfinish(c);\n"
        "    return rc;\n"
        "}\n\n"
    )


class Failure(Exception):
    pass


failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def make_project(root, config=None):
    write(root, ".connlint.json",
          json.dumps(config or {"version": 1, "rules": ["libpq"], "handlers": ["handlers/**"]}))
    write(root, "include/db.h", DB_H)


def run(connlint, cwd, *args):
    p = subprocess.run([connlint, *args], cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def run_json(connlint, cwd, *args, include="include"):
    code, out, err = run(connlint, cwd, "--format", "json", *args, "--", "-I" + include)
    try:
        data = json.loads(out)
    except ValueError:
        raise Failure(f"connlint did not print JSON (exit {code}):\n{out}\n{err}")
    return code, data, err


def line_of(path, needle):
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if needle in line:
                return i
    raise Failure(f"{needle!r} not in {path}")


def findings_of(data, rule):
    return [f for f in data if f["rule"] == rule]


# ---- cases -----------------------------------------------------------------

def case_unused(connlint, root):
    make_project(root)
    a = write(root, "repo/a.c", '#include "db.h"\n'
              + repo_function("used", " // connlint-ignore[per-request-outside-handler]")
              + repo_function("stale", " // connlint-ignore[double-release]")
              + "int nothing(void) { return 0; } // NOLINT(connlint-connection-leak)\n")
    b = write(root, "repo/b.c", '#include "db.h"\n'
              "int quiet(void) { return 1; } // connlint-ignore[use-after-release]\n")
    code, data, err = run_json(connlint, root, "--fail-on", "none", "--report-unused-suppressions", ".")
    check(code == 0, f"exit status {code} with --fail-on none")
    pr = findings_of(data, "per-request-outside-handler")
    check(len(pr) == 2, f"two per-request findings, got {len(pr)}")
    sup = [f for f in pr if f["suppressed"]]
    check(len(sup) == 1 and sup[0]["line"] == line_of(a, "connlint-ignore[per-request"),
          "the first call is suppressed")
    if sup:
        check(sup[0].get("suppression") == "// connlint-ignore[per-request-outside-handler]",
              f"suppression text, got {sup[0].get('suppression')!r}")
    unused = findings_of(data, "unused-suppression")
    where = sorted((os.path.basename(f["file"]), f["line"]) for f in unused)
    want = sorted([("a.c", line_of(a, "connlint-ignore[double-release]")),
                   ("a.c", line_of(a, "NOLINT(connlint-connection-leak)")),
                   ("b.c", line_of(b, "connlint-ignore[use-after-release]"))])
    check(where == want, f"unused suppressions at {want}, got {where}")
    msgs = sorted(f["message"] for f in unused)
    check("suppression of 'double-release' matches no finding" in msgs, f"message, got {msgs}")
    check(all(f["level"] == "note" for f in unused), "unused suppressions are notes")

    code, data, err = run_json(connlint, root, "--fail-on", "none", ".")
    check(not findings_of(data, "unused-suppression"), "no unused-suppression without the option")


def case_warnings(connlint, root):
    make_project(root)
    a = write(root, "repo/a.c", '#include "db.h"\n'
              + repo_function("misspelled", " // connlint-ignore[per-request-outside-handlr]")
              + repo_function("bare", " // connlint-ignore"))
    code, data, err = run_json(connlint, root, "--fail-on", "none", ".")
    l1 = line_of(a, "outside-handlr")
    l2 = line_of(a, "connlint-ignore\n")
    check(f"a.c:{l1}:" in err and "unknown rule 'per-request-outside-handlr'" in err,
          f"warning for the misspelled rule at a.c:{l1}, stderr:\n{err}")
    check(f"a.c:{l2}:" in err and "without a rule id" in err,
          f"warning for the bare connlint-ignore at a.c:{l2}, stderr:\n{err}")
    pr = findings_of(data, "per-request-outside-handler")
    state = sorted((f["line"], f["suppressed"]) for f in pr)
    check(state == [(l1, False), (l2, True)], f"misspelled: not suppressed, bare: suppressed; got {state}")


def case_sarif_suppressions(connlint, root):
    make_project(root)
    write(root, "repo/a.c", '#include "db.h"\n'
          + repo_function("quiet", " // NOLINT(connlint-per-request-outside-handler)")
          + repo_function("loud"))
    code, out, err = run(connlint, root, "--format", "sarif", ".", "--", "-Iinclude")
    check(code == 1, f"the unsuppressed finding fails the run, got exit {code}\n{err}")
    results = json.loads(out)["runs"][0]["results"]
    sup = [r for r in results if r.get("suppressions")]
    check(len(results) == 2 and len(sup) == 1, f"two results, one suppressed; got {len(results)}, {len(sup)}")
    if sup:
        check(sup[0]["suppressions"][0]["kind"] == "inSource", "suppression kind inSource")


def case_baseline(connlint, root):
    make_project(root)
    src = write(root, "repo/a.c", '#include "db.h"\n' + repo_function("one") + repo_function("two"))
    base = os.path.join(root, "base.sarif")
    code, out, err = run(connlint, root, "--write-baseline", base, ".", "--", "-Iinclude")
    check(code == 1 and os.path.exists(base), f"first run: findings, baseline written (exit {code})\n{err}")

    code, data, err = run_json(connlint, root, "--baseline", base, ".")
    check(code == 0, f"unchanged findings do not fail the run, got exit {code}\n{err}")
    states = sorted(f.get("baseline_state") for f in data)
    check(states == ["unchanged", "unchanged"], f"both unchanged, got {states}")

    # unrelated lines above, one function removed, a new one added
    with open(src, "w") as f:
        f.write('#include "db.h"\n/* a comment\n   that moves everything */\n\n'
                + repo_function("two") + repo_function("three"))
    code, data, err = run_json(connlint, root, "--baseline", base, ".")
    check(code == 1, f"a new finding fails the run, got exit {code}\n{err}")
    by_fn = {(f.get("function"), f.get("baseline_state")) for f in data}
    check(("two", "unchanged") in by_fn, f"moved function stays unchanged: {by_fn}")
    check(("three", "new") in by_fn, f"added function is new: {by_fn}")
    absent = [f for f in data if f.get("baseline_state") == "absent"]
    check(len(absent) == 1, f"the removed one is absent: {by_fn}")
    if absent:
        check(absent[0]["rule"] == "per-request-outside-handler", "absent keeps its rule")
        check(os.path.basename(absent[0]["file"]) == "a.c", f"absent keeps its file: {absent[0]['file']}")

    code, data, err = run_json(connlint, root, "--baseline", base, "--fail-on", "none", ".")
    check(code == 0, "--fail-on none")


def case_broken_baseline(connlint, root):
    make_project(root)
    write(root, "repo/a.c", '#include "db.h"\n' + repo_function("one"))
    bad = write(root, "bad.sarif", '{"runs": [\n  {"results": [ }\n]}\n')
    code, out, err = run(connlint, root, "--baseline", bad, ".", "--", "-Iinclude")
    check(code == 2, f"a broken baseline is an error (exit 2), got {code}")
    check("bad.sarif:2:" in err, f"the message names file and line: {err}")
    code, out, err = run(connlint, root, "--baseline", os.path.join(root, "missing.sarif"), ".",
                         "--", "-Iinclude")
    check(code == 2 and "missing.sarif" in err, f"a missing baseline is an error: {code} {err}")


def case_levels(connlint, root):
    make_project(root, {"version": 1, "rules": ["libpq"], "handlers": ["handlers/**"],
                        "levels": {"per-request-outside-handler": "none"}})
    write(root, "repo/a.c", '#include "db.h"\n' + repo_function("one"))
    code, data, err = run_json(connlint, root, ".")
    check(code == 0 and data == [], f"level none drops the rule: exit {code}, {data}")
    make_project(root, {"version": 1, "rules": ["libpq"], "handlers": ["handlers/**"],
                        "levels": {"per-request-outside-handler": "note"}})
    code, data, err = run_json(connlint, root, ".")
    check(code == 0, f"a note does not fail at --fail-on warning, got {code}")
    check([f["level"] for f in data] == ["note"], f"level note, got {data}")


def case_handlers_cli(connlint, root):
    proj = os.path.join(root, "proj")
    make_project(proj, {"version": 1, "rules": ["libpq"]})
    write(proj, "handlers/h.c", '#include "db.h"\n' + repo_function("handle"))
    write(proj, "handlers/deep/er/h2.c", '#include "db.h"\n' + repo_function("handle_deep"))
    write(proj, "repo/r.c", '#include "db.h"\n' + repo_function("repo"))
    code, data, err = run_json(connlint, proj, "--handlers", "handlers/**", ".")
    fns = sorted(f.get("function") for f in data)
    check(fns == ["repo"], f"--handlers relative to the cwd: only the repository, got {fns}")
    code, data, err = run_json(connlint, root, "--config", os.path.join(proj, ".connlint.json"),
                               "--handlers", "./proj/x/../handlers/**", "proj", include="proj/include")
    fns = sorted(f.get("function") for f in data)
    check(fns == ["repo"], f"--handlers with ./ and ../ from another folder, got {fns}")
    code, data, err = run_json(connlint, proj, ".")
    check(len(data) == 0, f"with no handler designated the rule stays off, got {len(data)}")


def case_wrapper(connlint, root):
    make_project(root, {"version": 1, "rules": ["libpq"], "handlers": ["handlers/**"]})
    write(root, "lib/conn.c", '#include "db.h"\n'
          "PGconn *open_conn(void)\n{\n    return PQconnectdb(\"dbname=app\");\n}\n")
    body = ("{\n    PGconn *c = open_conn();\n    if (!c)\n        return -1;\n"
            "    PQfinish(c);\n    return 0;\n}\n")
    write(root, "handlers/h.c", '#include "db.h"\nPGconn *open_conn(void);\nint handle(void)\n' + body)
    r = write(root, "repo/r.c", '#include "db.h"\nPGconn *open_conn(void);\nint repo(void)\n' + body)
    t = write(root, "repo/table.c", '#include "db.h"\nPGconn *open_conn(void);\n'
              "struct ops { PGconn *(*open)(void); };\n"
              "const struct ops repo_ops = { .open = open_conn };\n")
    code, data, err = run_json(connlint, root, "--fail-on", "none", ".")
    got = [(f["file"], f["line"], f["function"]) for f in data]
    want = [(os.path.join("repo", "r.c"), line_of(r, "open_conn();"), "repo"),
            (os.path.join("repo", "table.c"), line_of(t, ".open = open_conn"), None)]
    check(got == want, f"only the uses outside handlers, not the wrapper itself: {got}")
    if len(data) == 2:
        check("repo() calls open_conn() which calls PQconnectdb()" in data[0]["message"],
              f"the message names the chain: {data[0]['message']}")
        check("(open_conn() which calls PQconnectdb())" in data[1]["message"],
              f"the table's message names the chain: {data[1]['message']}")


CASES = {
    "wrapper": case_wrapper,
    "unused": case_unused,
    "warnings": case_warnings,
    "sarif_suppressions": case_sarif_suppressions,
    "baseline": case_baseline,
    "broken_baseline": case_broken_baseline,
    "levels": case_levels,
    "handlers_cli": case_handlers_cli,
}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        print(__doc__)
        return 2
    connlint = os.path.abspath(sys.argv[1])
    root = tempfile.mkdtemp(prefix="connlint-filter-")
    try:
        CASES[sys.argv[2]](connlint, root)
    except Failure as e:
        failures.append(str(e))
        print("FAIL:", e)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{sys.argv[2]}: {'failed' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
