#!/usr/bin/env python3
"""Precision and recall of connlint on Infer's Pulse tests for C.

Infer (github.com/facebook/infer) keeps small C programs under
infer/tests/codetoanalyze/c/pulse/ and, in issues.exp there, the issues
Infer must report, one per line: "file, function, line, ISSUE_TYPE, ...".
Attribution is per function:

- leaking: a function issues.exp gives a MEMORY_LEAK_C,
  PULSE_RESOURCE_LEAK or USE_AFTER_FREE issue (not a *_LATENT one: those
  hold only for some callers' arguments), unless its name says Infer is
  wrong there (FP prefix); it is found when a connlint finding lies in it;
- clean: a function whose name ends in "_ok" (Infer's convention, FP_..._ok
  included) that issues.exp gives none of those issues; it is flagged when
  a connlint finding lies in it.

Findings in other functions (_bad ones for other issues, helpers, _latent)
are listed apart with --details.

    python3 bench/suite/infer_pulse.py PULSE_DIR [--connlint build/connlint]
        [-j 2] [--details]

PULSE_DIR is infer/tests/codetoanalyze/c/pulse of a checkout. Packs: posix
and libc-memory (built in); no configuration, no cache. The tests' code is
read from the path given, never copied.
"""
import argparse
import collections
import os
import re
import sys

from suite_run import add_common_args, finding_line, run_connlint

LEAK_TYPES = {"MEMORY_LEAK_C", "PULSE_RESOURCE_LEAK", "RESOURCE_LEAK", "USE_AFTER_FREE",
              "DOUBLE_FREE"}
DEF_RE = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;]*$")


def functions(path):
    names = set()
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = DEF_RE.match(line)
            if m and m.group(1) not in ("if", "while", "for", "switch", "return"):
                names.add(m.group(1))
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pulse_dir")
    add_common_args(ap)
    args = ap.parse_args()

    files = []
    for root, dirs, names in os.walk(args.pulse_dir):
        dirs.sort()
        files += [os.path.join(root, n) for n in sorted(names) if n.endswith(".c")]

    bad = {}    # (basename, function) -> issue type
    with open(os.path.join(args.pulse_dir, "issues.exp"), encoding="utf-8") as f:
        for line in f:
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 4 or parts[3] not in LEAK_TYPES or parts[1].startswith("FP"):
                continue
            bad.setdefault((os.path.basename(parts[0]), parts[1]), parts[3])
    clean = set()
    for path in files:
        for fn in functions(path):
            key = (os.path.basename(path), fn)
            if fn.endswith("_ok") and key not in bad:
                clean.add(key)

    findings, unparsed = run_connlint(args.connlint, args.jobs, ["posix", "libc-memory"], files)

    hits = collections.defaultdict(list)
    for f in findings:
        hits[(os.path.basename(f["file"]), f.get("function"))].append(f)

    found = [k for k in bad if hits.get(k)]
    missed = sorted(k for k in bad if not hits.get(k))
    flagged = sorted(k for k in clean if hits.get(k))
    other = [f for k, fs in sorted(hits.items()) if k not in bad and k not in clean for f in fs]
    by_type = collections.Counter(bad.values())
    found_by_type = collections.Counter(bad[k] for k in found)

    print("Infer Pulse C tests: %d files, %d not analysed%s" %
          (len(files), len(unparsed),
           (": " + " ".join(os.path.basename(u) for u in unparsed)) if unparsed else ""))
    for t in sorted(by_type):
        print("  %-22s found %d/%d" % (t, found_by_type[t], by_type[t]))
    print("leaking functions found: %d/%d; clean (_ok) functions flagged: %d/%d; "
          "findings elsewhere: %d" % (len(found), len(bad), len(flagged), len(clean), len(other)))
    if args.details:
        def show(f):
            return finding_line(f, os.path.basename)
        print("\nmissed:")
        for k in missed:
            print("  %s %s (%s)" % (k[0], k[1], bad[k]))
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
