#!/usr/bin/env python3
"""check_jobs.py — the summaries and the checks run on -j threads, and the
report must not show it: for each fixture folder given, the text, JSON and
SARIF reports with -j 2 and -j 4 must be byte-identical to those with
-j 1, without the cache, with a cold cache and with a warm one (the
findings then come from result entries, the summaries from summary
entries). A folder whose -j 1 report has no results fails: it would prove
nothing.

    check_jobs.py CONNLINT FOLDER...
"""
import os
import shutil
import subprocess
import sys
import tempfile

FORMATS = ("text", "json", "sarif")


def run(connlint, folder, fmt, jobs, cache):
    args = [connlint, "--format", fmt, "--fail-on", "none", "--keep-going", "-j", str(jobs)]
    args += ["--cache-dir", cache] if cache else ["--no-cache"]
    p = subprocess.run(args + ["."], cwd=folder, capture_output=True,
                       env=dict(os.environ, NO_COLOR="1"))
    if p.returncode not in (0, 1):
        sys.exit("FAIL: connlint -j %d --format %s in %s exited %d\n%s"
                 % (jobs, fmt, folder, p.returncode, p.stderr.decode()))
    return p.stdout


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    connlint = os.path.abspath(argv[0])
    failed = passed = 0

    def same(folder, label, got, want):
        nonlocal failed, passed
        if got == want:
            passed += 1
        else:
            failed += 1
            print("FAIL: %s: %s differs from -j 1 without the cache" % (folder, label))

    for folder in argv[1:]:
        ref = {fmt: run(connlint, folder, fmt, 1, None) for fmt in FORMATS}
        if b'"results": []' in ref["sarif"] or b'"results":[]' in ref["sarif"]:
            failed += 1
            print("FAIL: %s has no results: the test would prove nothing" % folder)
        for fmt in FORMATS:
            for jobs in (2, 4):
                same(folder, "--format %s -j %d" % (fmt, jobs), run(connlint, folder, fmt, jobs, None), ref[fmt])
        cache = tempfile.mkdtemp(prefix="connlint-jobs-")
        try:
            same(folder, "-j 4, cold cache", run(connlint, folder, "sarif", 4, cache), ref["sarif"])
            for fmt in FORMATS:
                same(folder, "--format %s -j 4, warm cache" % fmt, run(connlint, folder, fmt, 4, cache), ref[fmt])
            same(folder, "-j 1, warm cache", run(connlint, folder, "sarif", 1, cache), ref["sarif"])
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
