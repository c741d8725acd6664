#!/usr/bin/env python3
"""prefilter_test.py — the pre-filter changes no result: on every fixture
folder (as the fixture tests run them, with their connlint-fixture-args),
the JSON report, the SARIF report and the exit status are the same with and
without --no-prefilter, also with --report-unused-suppressions. It fails
too when the pre-filter skips nothing anywhere (then it would prove
nothing), and it checks that fixtures/prefilter's unrelated file is skipped.

    prefilter_test.py CONNLINT
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from output_snapshot import fixture_args  # noqa: E402

SKIPPED_RE = re.compile(r"parsed (\d+) of (\d+) files, (\d+) skipped by the pre-filter")


def run(exe, args, cwd):
    p = subprocess.run([exe] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def folders():
    fixtures = os.path.join(ROOT, "fixtures")
    for name in sorted(os.listdir(fixtures)):
        folder = os.path.join(fixtures, name)
        if not os.path.isdir(folder) or name in ("cfg", "config"):
            continue
        if any(f.endswith(".c") for _, _, fs in os.walk(folder) for f in fs):
            yield name, folder


def main():
    exe = os.path.abspath(sys.argv[1])
    failures = 0
    total_skipped = 0
    for name, folder in folders():
        extra = fixture_args(folder)
        for variant in ([], ["--report-unused-suppressions"]):
            for fmt in ("json", "sarif"):
                base = ["--format", fmt, "--fail-on", "warning", "-j", "2"] + variant + extra + ["."]
                rc_on, out_on, err_on = run(exe, ["--verbose"] + base, folder)
                rc_off, out_off, _ = run(exe, ["--no-prefilter"] + base, folder)
                m = SKIPPED_RE.search(err_on)
                skipped = int(m.group(3)) if m else -1
                if m is None:
                    print("FAIL %s: --verbose does not say how many files were skipped" % name)
                    failures += 1
                if (rc_on, out_on) != (rc_off, out_off):
                    print("FAIL %s %s %s: the pre-filter changes the result (exit %d vs %d)"
                          % (name, fmt, " ".join(variant), rc_on, rc_off))
                    failures += 1
                if fmt == "json" and not variant:
                    total_skipped += max(0, skipped)
                    print("ok   %-12s %s" % (name, m.group(0) if m else "?"))
    rc, _, err = run(exe, ["--verbose", "--fail-on", "none", "."], os.path.join(ROOT, "fixtures", "prefilter"))
    m = SKIPPED_RE.search(err)
    if not m or int(m.group(3)) != 1:
        print("FAIL prefilter: expected exactly unrelated.c to be skipped: %s" % err.strip())
        failures += 1
    if total_skipped == 0:
        print("FAIL: the pre-filter skipped no file in any fixture folder")
        failures += 1
    print("%d files skipped over all fixture folders; %d failures" % (total_skipped, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
