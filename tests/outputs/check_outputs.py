#!/usr/bin/env python3
"""check_outputs.py CONNLINT TEST — end-to-end checks of connlint's outputs
on the small project in tests/outputs/project:

  deterministic   two runs (parallel parsing) give byte-identical SARIF and JSON
  atomic          -o into a missing folder exits 2 naming the path; -o over an
                  existing file replaces it whole and leaves no temporary file
  fingerprints    inserting lines above the findings keeps every fingerprint
                  and GitHub line hash (the findings just move down)
  formats         text, github and json report the same findings, at the
                  lines the project's `// expect:` comments name

Prints what it checked; exits 1 on the first class of failure found.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, "project")


def run(connlint, cwd, *args, ok=(0, 1)):
    p = subprocess.run([connlint, *args], cwd=cwd, capture_output=True)
    if p.returncode not in ok:
        sys.exit("FAIL: connlint %s exited %d\n%s" % (" ".join(args), p.returncode, p.stderr.decode()))
    return p


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def copy_project(tmp):
    dst = os.path.join(tmp, "project")
    shutil.copytree(PROJECT, dst)
    return dst


def expectations(root):
    """{(relative file, line, rule)} from `// expect: RULE[, RULE]` comments."""
    found = set()
    for dirpath, _, files in os.walk(root):
        for name in files:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = re.search(r"//\s*expect:\s*(.*)$", line)
                    if m:
                        for rule in m.group(1).split(","):
                            found.add((os.path.relpath(path, root), n, rule.strip()))
    return found


def check_deterministic(connlint):
    outs = {}
    for fmt in ("sarif", "json"):
        a = run(connlint, PROJECT, "--format", fmt, "--fail-on", "none", "--keep-going", "-j", "2").stdout
        b = run(connlint, PROJECT, "--format", fmt, "--fail-on", "none", "--keep-going", "-j", "2").stdout
        if a != b:
            fail("two runs gave different %s output" % fmt)
        if b"timestamp" in a.lower() or b"Time\"" in a:
            fail("%s output carries a time stamp" % fmt)
        outs[fmt] = a
    json.loads(outs["sarif"])
    print("ok: SARIF and JSON are byte-identical across runs (%d bytes)" % len(outs["sarif"]))


def check_atomic(connlint):
    p = run(connlint, PROJECT, "--format", "sarif", "-o", "/nonexistent/dir/x.sarif", "--keep-going", ok=(2,))
    err = p.stderr.decode()
    if "connlint: error: cannot write /nonexistent/dir/x.sarif:" not in err:
        fail("-o into a missing folder: message missing, stderr was:\n" + err)
    print("ok: -o /nonexistent/dir/x.sarif exits 2 with: " + err.strip().splitlines()[-1])
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.json")
        with open(out, "w") as f:
            f.write("old report " * 100000)
        os.chmod(out, 0o640)
        run(connlint, PROJECT, "--format", "json", "--fail-on", "none", "--keep-going", "-o", out)
        stdout = run(connlint, PROJECT, "--format", "json", "--fail-on", "none", "--keep-going").stdout
        with open(out, "rb") as f:
            written = f.read()
        if written != stdout:
            fail("-o over an existing file did not replace it with exactly the report")
        if os.listdir(tmp) != ["report.json"]:
            fail("-o left files behind: %s" % os.listdir(tmp))
        if os.stat(out).st_mode & 0o777 != 0o640:
            fail("-o changed the mode of the file it replaced")
    print("ok: -o replaces an existing file whole, keeps its mode, leaves nothing behind")


def findings(connlint, root):
    return json.loads(run(connlint, root, "--format", "json", "--fail-on", "none", "--keep-going").stdout)


def sarif_hashes(connlint, root):
    log = json.loads(run(connlint, root, "--format", "sarif", "--fail-on", "none", "--keep-going").stdout)
    return {r["partialFingerprints"]["connlint/v1"]: r["partialFingerprints"].get("primaryLocationLineHash")
            for r in log["runs"][0]["results"]}


def check_fingerprints(connlint):
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(tmp)
        before = findings(connlint, root)
        hashes_before = sarif_hashes(connlint, root)
        if not any(f["rule"] == "connection-leak" for f in before):
            fail("no connection-leak finding in the project: nothing to compare (checks not reporting yet?)")
        edited = set()
        for f in before:
            path = os.path.join(root, f["file"])
            if path in edited:
                continue
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("/* three unrelated\n   lines inserted */\n#define UNRELATED 1\n" + text)
            edited.add(path)
        after = findings(connlint, root)
        hashes_after = sarif_hashes(connlint, root)
        key = lambda f: (f["rule"], f["fingerprint"])
        b = {key(f): f["line"] for f in before}
        a = {key(f): f["line"] for f in after}
        if set(a) != set(b):
            fail("fingerprints changed when unrelated lines were inserted:\n before %s\n after  %s"
                 % (sorted(b), sorted(a)))
        moved = [k for k in b if a[k] != b[k] + 3]
        if moved:
            fail("findings did not move down by 3 lines: %s" % moved)
        if len(set(b)) != len(before):
            fail("two findings share a fingerprint")
        if hashes_before != hashes_after:
            fail("primaryLocationLineHash changed: %s -> %s" % (hashes_before, hashes_after))
    print("ok: %d fingerprints and line hashes unchanged after inserting lines above" % len(before))


def check_formats(connlint):
    js = findings(connlint, PROJECT)
    text = run(connlint, PROJECT, "--fail-on", "none", "--keep-going").stdout.decode()
    gh = run(connlint, PROJECT, "--format", "github", "--fail-on", "none", "--keep-going").stdout.decode()
    got = {(f["file"], f["line"], f["rule"]) for f in js}
    want = expectations(PROJECT)
    if got != want:
        fail("findings differ from the // expect: comments:\n missing %s\n unexpected %s"
             % (sorted(want - got), sorted(got - want)))
    for f in js:
        line = "%s:%d:%d: %s: %s [%s]" % (f["file"], f["line"], f["column"], f["level"], f["message"], f["rule"])
        if line not in text.splitlines():
            fail("text output lacks: " + line)
        prop = f["file"].replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
        head = "::%s file=%s,line=%d,col=%d," % ({"note": "notice"}.get(f["level"], f["level"]), prop, f["line"], f["column"])
        if not any(l.startswith(head) and ",title=%s::" % f["rule"] in l for l in gh.splitlines()):
            fail("github output lacks an annotation starting with: " + head)
        for r in f["related"]:
            note = "%s:%d:%d: note: %s" % (r["file"], r["line"], r["column"], r["message"])
            if note not in text:
                fail("text output lacks the note: " + note)
    if not re.search(r"^%d findings? \(.*\) in \d+ files?$" % len(js), text, re.M):
        fail("text output lacks the summary line")
    print("ok: text, github and json agree on %d findings at the expected lines" % len(js))


def main():
    connlint, test = os.path.abspath(sys.argv[1]), sys.argv[2]
    {"deterministic": check_deterministic, "atomic": check_atomic,
     "fingerprints": check_fingerprints, "formats": check_formats}[test](connlint)


if __name__ == "__main__":
    main()
