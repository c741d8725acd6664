#!/usr/bin/env python3
"""run_cfg_golden.py — golden tests of the parse stage's control-flow graphs.

For every fixtures/cfg/NAME.c, runs `connlint --dump-cfg NAME.c` (from the
fixture folder, so the output names files by basename) and compares the
output with NAME.expected. Fails with a unified diff on any difference, on a
missing .expected file, and on a non-zero exit status.

    run_cfg_golden.py CONNLINT FIXTURE_DIR [--update] [NAME...]

--update rewrites the .expected files from the current output (review every
change by eye before committing: a golden file that records a wrong CFG is
worse than none).
"""
import difflib
import os
import subprocess
import sys


def dump(connlint, folder, name):
    proc = subprocess.run([connlint, "--dump-cfg", name + ".c"], cwd=folder,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    update = "--update" in argv
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    connlint, folder = os.path.abspath(args[0]), os.path.abspath(args[1])
    names = args[2:] or sorted(f[:-2] for f in os.listdir(folder) if f.endswith(".c"))
    failed = 0
    for name in names:
        rc, out, err = dump(connlint, folder, name)
        expected_path = os.path.join(folder, name + ".expected")
        if rc != 0:
            print("FAIL %s: connlint exited with %d\n%s" % (name, rc, err))
            failed += 1
            continue
        if update:
            with open(expected_path, "w") as f:
                f.write(out)
            print("updated %s" % expected_path)
            continue
        if not os.path.exists(expected_path):
            print("FAIL %s: no %s (run with --update and review it)" % (name, expected_path))
            failed += 1
            continue
        with open(expected_path) as f:
            expected = f.read()
        if out != expected:
            failed += 1
            print("FAIL %s:" % name)
            sys.stdout.writelines(difflib.unified_diff(
                expected.splitlines(True), out.splitlines(True),
                name + ".expected", name + " (actual)"))
        else:
            print("ok   %s" % name)
    print("%d fixtures, %d failed" % (len(names), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
