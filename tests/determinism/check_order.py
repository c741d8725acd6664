#!/usr/bin/env python3
"""check_order.py — the result does not depend on -j or on the order the
files are given in (issue: parse stage and summaries).

For each fixture folder given, runs `connlint --format sarif` with -j 1, with
-j 2 and with -j 2 on the folder's C files listed in reverse order, from the
folder (so its .connlint.json applies), and requires byte-identical SARIF.
The summaries of wrappers in other files (fixtures/interproc) make this a
real test of the fixpoint's independence from file order.

    check_order.py CONNLINT FOLDER...
"""
import os
import subprocess
import sys


def c_files(folder):
    out = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".c"):
                out.append(os.path.relpath(os.path.join(root, f), folder))
    return out


def run(connlint, folder, *args):
    p = subprocess.run([connlint, "--format", "sarif", "--fail-on", "none", "--keep-going", *args],
                       cwd=folder, capture_output=True)
    if p.returncode not in (0, 1):
        sys.exit("FAIL: connlint %s in %s exited %d\n%s" % (" ".join(args), folder, p.returncode, p.stderr.decode()))
    return p.stdout


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    connlint = os.path.abspath(argv[0])
    failed = passed = 0
    for folder in argv[1:]:
        files = c_files(folder)
        one = run(connlint, folder, "-j", "1", ".")
        variants = {
            "-j 2": run(connlint, folder, "-j", "2", "."),
            "-j 2, files in reverse order": run(connlint, folder, "-j", "2", *reversed(files)),
            "-j 1, files in reverse order": run(connlint, folder, "-j", "1", *reversed(files)),
        }
        for name, out in variants.items():
            if out == one:
                passed += 1
            else:
                failed += 1
                print("FAIL: %s: SARIF with %s differs from -j 1" % (folder, name))
        if b'"results": []' in one or b'"results":[]' in one:
            failed += 1
            print("FAIL: %s has no results: the test would prove nothing" % folder)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
