#!/usr/bin/env python3
"""Precision and recall of connlint on cppcheck's library tests (test/cfg/*.c).

cppcheck (github.com/danmar/cppcheck) checks its library configurations
against small C functions in test/cfg/*.c. Each warning cppcheck must give
is marked by a comment on the line before it:
"// cppcheck-suppress KIND" or "// cppcheck-suppress [KIND, KIND...]";
"// TODO cppcheck-suppress KIND" marks a defect cppcheck still misses.
Attribution is per function (the function whose body holds the comment):

- leaking: a function with a mark (TODO ones included) of a kind that is
  connlint's, found when a finding of the matching rule lies in it:

      memleak, resourceLeak, leakReturnValNotUsed,
      memleakOnRealloc, leakNoVarFunctionCall       connection-leak
      doubleFree                                    double-release
      deallocuse, deallocret, useClosedFile         use-after-release

- clean: every other function of the file; it is flagged when any
  connlint finding lies in it. The files test library calls for
  cppcheck's other checkers too (uninitvar, nullPointer...): such a function
  holds no leak cppcheck knows of, so a finding there is a false alarm
  unless reading it shows cppcheck missed the leak (--details lists them).

    python3 bench/suite/cppcheck_cfg.py CPPCHECK/test/cfg [--connlint build/connlint]
        [-j 2] [--details] [--rules PACK ...]

Packs: posix, libc-memory, libc, sqlite and libcurl (built in) unless
--rules is given; no configuration, no cache. Every *.c of the folder is
given; those whose headers are not installed are counted "not analysed".
The tests' code is read from the path given, never copied.
"""
import argparse
import collections
import os
import re
import sys

from suite_run import add_common_args, finding_line, run_connlint

KINDS = {
    "memleak": "connection-leak",
    "resourceLeak": "connection-leak",
    "leakReturnValNotUsed": "connection-leak",
    "memleakOnRealloc": "connection-leak",
    "leakNoVarFunctionCall": "connection-leak",
    "doubleFree": "double-release",
    "deallocuse": "use-after-release",
    "deallocret": "use-after-release",
    "useClosedFile": "use-after-release",
}
MARK_RE = re.compile(r"//\s*(TODO\s*)?cppcheck-suppress\s*(\[[^\]]*\]|\w+)")
DEF_RE = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;]*$")
PACKS = ["posix", "libc-memory", "libc", "sqlite", "libcurl"]


def scan(path):
    """({function: set of connlint rules it must raise}, set of all functions)."""
    bad = collections.defaultdict(set)
    names = set()
    current = None
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = DEF_RE.match(line)
            if m and m.group(1) not in ("if", "while", "for", "switch", "return") \
                    and not line.startswith((" ", "\t")):
                current = m.group(1)
                names.add(current)
            for mm in MARK_RE.finditer(line):
                for kind in re.split(r"[\s,\[\]]+", mm.group(2)):
                    if kind in KINDS and current:
                        bad[current].add(KINDS[kind])
    return bad, names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cfg_dir")
    add_common_args(ap)
    ap.add_argument("--rules", action="append")
    args = ap.parse_args()

    files = sorted(os.path.join(args.cfg_dir, n) for n in os.listdir(args.cfg_dir)
                   if n.endswith(".c"))
    bad = {}      # (basename, function) -> set of rules
    clean = set()
    for path in files:
        b, names = scan(path)
        base = os.path.basename(path)
        for fn in names:
            if fn in b:
                bad[(base, fn)] = b[fn]
            else:
                clean.add((base, fn))

    findings, unparsed = run_connlint(args.connlint, args.jobs, args.rules or PACKS, files,
                                      ["-D_GNU_SOURCE"])
    unparsed = sorted(set(os.path.basename(u) for u in unparsed))
    bad = {k: v for k, v in bad.items() if k[0] not in unparsed}
    clean = {k for k in clean if k[0] not in unparsed}

    hits = collections.defaultdict(list)
    for f in findings:
        hits[(os.path.basename(f["file"]), f.get("function"))].append(f)

    by_rule = collections.Counter()
    found_by_rule = collections.Counter()
    missed = []
    for k, rules in sorted(bad.items()):
        got = {f["rule"] for f in hits.get(k, [])}
        for r in rules:
            by_rule[r] += 1
            if r in got:
                found_by_rule[r] += 1
        if not rules & got:
            missed.append(k)
    found = len(bad) - len(missed)
    flagged = sorted(k for k in clean if hits.get(k))
    other = [f for k, fs in sorted(hits.items()) if k not in bad and k not in clean
             for f in fs]

    print("cppcheck test/cfg: %d files, %d not analysed%s" %
          (len(files), len(unparsed), (": " + " ".join(unparsed)) if unparsed else ""))
    for r in sorted(by_rule):
        print("  %-22s found %d/%d" % (r, found_by_rule[r], by_rule[r]))
    print("leaking functions found: %d/%d; clean functions flagged: %d/%d; "
          "findings elsewhere: %d" % (found, len(bad), len(flagged), len(clean), len(other)))
    if args.details:
        def show(f):
            return finding_line(f, os.path.basename)
        print("\nmissed:")
        for k in missed:
            print("  %s %s (%s)" % (k[0], k[1], ", ".join(sorted(bad[k]))))
        print("\nclean functions flagged:")
        for k in flagged:
            for f in hits[k]:
                print(show(f))
        print("\nelsewhere:")
        for f in other:
            print(show(f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
