#!/usr/bin/env python3
"""run_fixtures.py — runs connlint on fixture folders and compares its
findings with the expectations written in the sources.

    run_fixtures.py CONNLINT FOLDER [FOLDER...]

In every *.c / *.h under FOLDER, a comment `// expect: RULE` (or
`// expect: RULE, RULE`) on a line expects one finding of each named rule on
that line (the same rule twice: two findings); `// expect-none` marks a file
that must have none. connlint runs as

    connlint --format json --fail-on none .

with FOLDER as the current directory (so the folder's own .connlint.json is
used). Findings whose "suppressed" is true are not counted; findings of
rule unused-suppression are counted only when the folder expects some (and
then --report-unused-suppressions is passed). Every missing and every
unexpected finding is printed as `FILE:LINE: missing RULE` /
`FILE:LINE: unexpected RULE: message`; exit status 1 if there is any, 0
otherwise. A summary line `N passed, N failed` counts matched expectations
and problems. connlint exiting with a status other than 0 is a failure.

A comment `// known-miss: RULE` marks a finding connlint should report on
that line and does not yet (a documented gap, with the reason in the
fixture's comments): it is listed as `FILE:LINE: known miss RULE` and does
not fail the run; once connlint reports it, the run fails with `FILE:LINE:
known miss RULE is found now: make it an expect:` (like a strict xfail), so
the list of gaps stays true.

A comment `// connlint-fixture-args: ARGS` in any *.c file of the folder
adds ARGS (split like a shell would) to the command line, before the `.`;
e.g. `--keep-going` for a folder whose files have parse errors on purpose
(connlint exits with status 2 on parse errors otherwise). The same
comment in several files adds its arguments once.
"""
import collections
import json
import os
import re
import shlex
import subprocess
import sys

EXPECT_RE = re.compile(r"//\s*expect:\s*([A-Za-z0-9_,\s-]+)")
EXPECT_NONE_RE = re.compile(r"//\s*expect-none\b")
KNOWN_MISS_RE = re.compile(r"//\s*known-miss:\s*([A-Za-z0-9_,\s-]+)")
ARGS_RE = re.compile(r"//\s*connlint-fixture-args:\s*(.*)$")
RULE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
UNUSED = "unused-suppression"


def source_files(folder):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".c", ".h")):
                yield os.path.join(dirpath, name)


def read_known_misses(folder):
    """Counter of (file, line, rule) marked `// known-miss: RULE`."""
    known = collections.Counter()
    for path in source_files(folder):
        rel = os.path.relpath(path, folder)
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, text in enumerate(f.read().split("\n"), start=1):
                m = KNOWN_MISS_RE.search(text)
                if m:
                    for name in m.group(1).split(","):
                        if name.strip():
                            known[(rel, number, name.strip().split()[0])] += 1
    return known


def read_expectations(folder):
    """Returns (Counter of (file, line, rule), list of problems in the comments)."""
    expected = collections.Counter()
    problems = []
    for path in source_files(folder):
        rel = os.path.relpath(path, folder)
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        marked_none = any(EXPECT_NONE_RE.search(l) for l in lines)
        for number, text in enumerate(lines, start=1):
            m = EXPECT_RE.search(text)
            if not m:
                continue
            if marked_none:
                problems.append(f"{rel}:{number}: 'expect:' in a file marked expect-none")
            for name in m.group(1).split(","):
                name = name.strip().split()[0] if name.strip() else ""
                if not RULE_RE.match(name):
                    problems.append(f"{rel}:{number}: bad rule name in expectation: {name!r}")
                    continue
                expected[(rel, number, name)] += 1
    return expected, problems


def extra_args(folder):
    """The arguments of the `// connlint-fixture-args:` comments in the
    folder's *.c files, in order of appearance (each distinct comment once)."""
    seen = []
    for path in source_files(folder):
        if not path.endswith(".c"):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for text in f:
                m = ARGS_RE.search(text)
                if m and m.group(1).strip() not in seen:
                    seen.append(m.group(1).strip())
    return [a for text in seen for a in shlex.split(text)]


def run_connlint(connlint, folder, want_unused):
    cmd = [connlint, "--format", "json", "--fail-on", "none"]
    if want_unused:
        cmd.append("--report-unused-suppressions")
    cmd.extend(extra_args(folder))
    cmd.append(".")
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
    return proc, cmd


def actual_findings(findings, want_unused):
    actual = collections.Counter()
    messages = {}
    for f in findings:
        if f.get("suppressed"):
            continue
        rule = f.get("rule", "")
        if rule == UNUSED and not want_unused:
            continue
        key = (os.path.normpath(f.get("file", "")), int(f.get("line", 0)), rule)
        actual[key] += 1
        messages.setdefault(key, f.get("message", ""))
    return actual, messages


def check_folder(connlint, folder):
    """Prints the problems of one folder; returns (passed, failed)."""
    name = os.path.basename(os.path.normpath(folder))
    expected, problems = read_expectations(folder)
    want_unused = any(rule == UNUSED for (_, _, rule) in expected)
    proc, cmd = run_connlint(connlint, folder, want_unused)
    if proc.returncode != 0:
        print(f"{name}: connlint exited with status {proc.returncode}: {' '.join(cmd)}")
        sys.stdout.write(proc.stderr)
        return 0, 1 + len(problems)
    try:
        findings = json.loads(proc.stdout)
        if not isinstance(findings, list):
            raise ValueError("the JSON report is not an array")
    except ValueError as e:
        print(f"{name}: cannot read connlint's JSON output: {e}")
        sys.stdout.write(proc.stdout[:2000])
        return 0, 1 + len(problems)
    actual, messages = actual_findings(findings, want_unused)
    for p in problems:
        print(p)
    failed = len(problems)
    for key, count in sorted(read_known_misses(folder).items()):
        file, line, rule = key
        found = min(count, actual[key] - expected[key])
        if found > 0:
            print(f"{file}:{line}: known miss {rule} is found now: make it an expect:")
            failed += found
            actual[key] -= found  # not also "unexpected"
        for _ in range(count - max(found, 0)):
            print(f"{file}:{line}: known miss {rule}")
    for key in sorted(expected.keys() | actual.keys()):
        file, line, rule = key
        missing = expected[key] - actual[key]
        extra = actual[key] - expected[key]
        for _ in range(max(missing, 0)):
            print(f"{file}:{line}: missing {rule}")
        for _ in range(max(extra, 0)):
            print(f"{file}:{line}: unexpected {rule}: {messages.get(key, '')}")
        failed += max(missing, 0) + max(extra, 0)
    passed = sum(min(expected[k], actual[k]) for k in expected)
    return passed, failed


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    connlint = os.path.abspath(argv[1])
    total_passed = total_failed = 0
    for folder in argv[2:]:
        if not os.path.isdir(folder):
            print(f"{folder}: not a folder")
            total_failed += 1
            continue
        passed, failed = check_folder(connlint, os.path.abspath(folder))
        total_passed += passed
        total_failed += failed
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
