#!/usr/bin/env python3
"""run_fixtures_selftest.py — tests tests/run_fixtures.py against a fake
connlint (a script written into a temporary folder that prints a chosen JSON
report), so the runner is known to pass and to fail for the right reasons
independently of the analyser.

    run_fixtures_selftest.py PATH/TO/run_fixtures.py
"""
import json
import os
import stat
import subprocess
import sys
import tempfile

SOURCE = """\
#include <stddef.h>
void f(void)
{
    g();   // expect: connection-leak
    h();   // expect: double-release, double-release
    k();   // expect: use-after-release (explained here)
}
"""
HEADER = "/* expect-none */\n// expect-none\nint x;\n"

FAKE = """#!{python}
import json, os, sys
spec = json.load(open({spec!r}))
sys.stderr.write(spec.get("stderr", ""))
if spec.get("check_args"):
    assert sys.argv[1:5] == ["--format", "json", "--fail-on", "none"], sys.argv
    assert sys.argv[-1] == "." and os.path.exists("a.c"), (sys.argv, os.getcwd())
    want = spec.get("want_args", [])
    assert sys.argv[5:-1] == want, (sys.argv, want)
sys.stdout.write(spec["stdout"])
sys.exit(spec.get("status", 0))
"""


def finding(file, line, rule, suppressed=False):
    return {"rule": rule, "level": "error", "file": file, "line": line, "column": 5,
            "end_line": line, "end_column": 9, "function": "f", "message": f"{rule} here",
            "fingerprint": "x", "suppressed": suppressed, "related": [], "path": []}


GOOD = [finding("a.c", 4, "connection-leak"), finding("a.c", 5, "double-release"),
        finding("a.c", 5, "double-release"), finding("a.c", 6, "use-after-release"),
        finding("a.c", 2, "connection-leak", suppressed=True),
        finding("a.c", 2, "unused-suppression")]


def run_case(runner, tmp, name, stdout, status=0, stderr="", extra_source="", want_args=()):
    folder = os.path.join(tmp, "fix")
    os.makedirs(os.path.join(folder, "inc"), exist_ok=True)
    with open(os.path.join(folder, "a.c"), "w") as f:
        f.write(SOURCE + extra_source)
    with open(os.path.join(folder, "inc", "b.h"), "w") as f:
        f.write(HEADER)
    spec = os.path.join(tmp, "spec.json")
    with open(spec, "w") as f:
        json.dump({"stdout": stdout, "status": status, "stderr": stderr, "check_args": True,
                   "want_args": list(want_args)}, f)
    fake = os.path.join(tmp, "connlint")
    with open(fake, "w") as f:
        f.write(FAKE.format(python=sys.executable, spec=spec))
    os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
    proc = subprocess.run([sys.executable, runner, fake, folder], capture_output=True, text=True)
    return proc


def main():
    runner = os.path.abspath(sys.argv[1])
    failures = 0

    def expect(name, proc, status, needles):
        nonlocal failures
        ok = proc.returncode == status and all(n in proc.stdout for n in needles)
        if not ok:
            failures += 1
            print(f"FAIL {name}: status {proc.returncode} (want {status})\n{proc.stdout}{proc.stderr}")
        else:
            print(f"ok   {name}")

    with tempfile.TemporaryDirectory() as tmp:
        expect("all matched", run_case(runner, tmp, "good", json.dumps(GOOD)), 0,
               ["4 passed, 0 failed"])
        missing = [f for f in GOOD if f["line"] != 6][:]
        missing.remove(GOOD[2])
        expect("missing findings", run_case(runner, tmp, "missing", json.dumps(missing)), 1,
               ["a.c:6: missing use-after-release", "a.c:5: missing double-release",
                "2 passed, 2 failed"])
        extra = GOOD + [finding("a.c", 3, "double-release"), finding("inc/b.h", 3, "connection-leak")]
        expect("unexpected findings", run_case(runner, tmp, "extra", json.dumps(extra)), 1,
               ["a.c:3: unexpected double-release: double-release here",
                "inc/b.h:3: unexpected connection-leak", "4 passed, 2 failed"])
        wrong_rule = [finding("a.c", 4, "double-release")] + GOOD[1:]
        expect("wrong rule on the line", run_case(runner, tmp, "wrong", json.dumps(wrong_rule)), 1,
               ["a.c:4: missing connection-leak", "a.c:4: unexpected double-release"])
        expect("connlint error", run_case(runner, tmp, "err", "", status=2,
                                          stderr="connlint: error: x.json:1:2: boom\n"), 1,
               ["connlint exited with status 2", "x.json:1:2: boom"])
        expect("broken JSON", run_case(runner, tmp, "json", "[{"), 1, ["cannot read connlint's JSON"])
        args_source = ("// connlint-fixture-args: --keep-going -I 'inc dir'\n"
                       "// connlint-fixture-args: --keep-going -I 'inc dir'\n"
                       "// connlint-fixture-args: -I other\n")
        expect("fixture args", run_case(runner, tmp, "args", json.dumps(GOOD), extra_source=args_source,
                                        want_args=["--keep-going", "-I", "inc dir", "-I", "other"]), 0,
               ["4 passed, 0 failed"])
        expect("fixture args missing", run_case(runner, tmp, "noargs", json.dumps(GOOD),
                                                want_args=["--keep-going"]), 1,
               ["connlint exited with status 1"])
        miss_source = "void m(void) {\n    z(); // known-miss: connection-leak\n}\n"
        expect("known miss listed", run_case(runner, tmp, "miss", json.dumps(GOOD), extra_source=miss_source), 0,
               ["a.c:9: known miss connection-leak", "4 passed, 0 failed"])
        expect("known miss found", run_case(runner, tmp, "missfound",
                                            json.dumps(GOOD + [finding("a.c", 9, "connection-leak")]),
                                            extra_source=miss_source), 1,
               ["a.c:9: known miss connection-leak is found now: make it an expect:", "4 passed, 1 failed"])
    print(f"{10 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
