#!/usr/bin/env python3
"""prefilter_test.py — the pre-filter changes no finding: on every fixture
folder, run as the fixture tests run it (its .connlint.json and packs, its
`// connlint-fixture-args:`), the JSON report and the SARIF results are the
same byte for byte with and without --no-prefilter, and so is a subset run
(one file of the folder's project). The SARIF compared is the whole log
less the tool notifications and executionSuccessful: a parse error in a
file the pre-filter skips is not reported (README). The exit status is the
same too, except 2 (parse error, pre-filter off) against 0 or 1 when the
run with the pre-filter skipped files.

It fails when the pre-filter skips nothing anywhere (it would prove
nothing) and checks that fixtures/prefilter skips exactly its unrelated
files.

    prefilter_test.py CONNLINT
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from run_fixtures import extra_args, source_files  # noqa: E402

SKIPPED_RE = re.compile(r"pre-filter: (\d+) of (\d+) files reached, (\d+) skipped")


def run(exe, args, cwd):
    p = subprocess.run([exe] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def comparable(fmt, out):
    if fmt != "sarif":
        return out
    log = json.loads(out)
    for r in log.get("runs", []):
        for inv in r.get("invocations", []):
            inv.pop("toolExecutionNotifications", None)
            inv.pop("executionSuccessful", None)
    return json.dumps(log, sort_keys=True).encode()


def folders():
    fixtures = os.path.join(ROOT, "fixtures")
    for name in sorted(os.listdir(fixtures)):
        folder = os.path.join(fixtures, name)
        if not os.path.isdir(folder) or name in ("cfg", "config"):
            continue
        if any(f.endswith(".c") for _, _, fs in os.walk(folder) for f in fs):
            yield name, folder


def attributes_on(folder, args):
    cfg = os.path.join(folder, ".connlint.json")
    if "--attributes" in args:
        return True
    try:
        with open(cfg) as f:
            return json.load(f).get("attributes") is True
    except (OSError, ValueError):
        return False


def compare(exe, name, folder, args, label):
    """Runs both ways; returns (failures, files skipped)."""
    failures = 0
    skipped = 0
    for fmt in ("json", "sarif"):
        base = ["--no-cache", "--format", fmt, "--fail-on", "warning", "-j", "2"] + args
        rc_on, out_on, err_on = run(exe, ["--verbose"] + base, folder)
        rc_off, out_off, err_off = run(exe, ["--no-prefilter"] + base, folder)
        m = SKIPPED_RE.search(err_on)
        if m is None and "pre-filter off" in err_on and attributes_on(folder, args):
            return failures, 0  # derived packs read every file: the pre-filter is off (README)
        if m is None:
            print("FAIL %s %s: --verbose does not say how many files were skipped: %s" % (name, label, err_on[-300:]))
            return failures + 1, 0
        skipped = int(m.group(3))
        try:
            same = comparable(fmt, out_on) == comparable(fmt, out_off)
        except ValueError:
            same = False
        if not same:
            print("FAIL %s %s %s: the pre-filter changes the report" % (name, label, fmt))
            failures += 1
        if rc_on != rc_off and not (rc_off == 2 and rc_on in (0, 1) and skipped > 0):
            print("FAIL %s %s %s: exit %d with the pre-filter, %d without" % (name, label, fmt, rc_on, rc_off))
            failures += 1
    return failures, skipped


def main():
    exe = os.path.abspath(sys.argv[1])
    failures = 0
    total_skipped = 0
    for name, folder in folders():
        args = extra_args(folder)
        f, skipped = compare(exe, name, folder, args + ["."], "whole")
        failures += f
        total_skipped += skipped
        print("%s %-18s whole tree: %d files skipped" % ("ok  " if not f else "FAIL", name, skipped))
        if os.path.exists(os.path.join(folder, ".connlint.json")):
            first = sorted(os.path.relpath(p, folder) for p in source_files(folder) if p.endswith(".c"))[0]
            f, skipped = compare(exe, name, folder, args + [first], "subset")
            failures += f
            print("%s %-18s subset %s: %d files skipped" % ("ok  " if not f else "FAIL", name, first, skipped))
    folder = os.path.join(ROOT, "fixtures", "prefilter")
    rc, _, err = run(exe, ["--no-cache", "--verbose", "--fail-on", "none", "."], folder)
    m = SKIPPED_RE.search(err)
    unrelated = sum(1 for p in source_files(folder) if os.path.basename(p).startswith("unrelated"))
    if not m or int(m.group(3)) != unrelated:
        print("FAIL prefilter: expected exactly the %d unrelated*.c files to be skipped: %s" % (unrelated, err.strip()))
        failures += 1
    if total_skipped == 0:
        print("FAIL: the pre-filter skipped no file in any fixture folder")
        failures += 1
    print("%d files skipped over all fixture folders; %d failures" % (total_skipped, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
