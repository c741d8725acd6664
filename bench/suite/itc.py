#!/usr/bin/env python3
"""Precision and recall of connlint on the Toyota ITC benchmarks (C part).

The suite (github.com/regehr/itc-benchmarks) holds 01.w_Defects/*.c, small
functions each with one defect, and 02.wo_Defects/*.c, their twins without
it. Every test case marks its line with a comment: "ERROR:<defect>" in the
first folder, "No ERROR:<defect>" in the second. A case is the function
that holds the mark together with its helpers: every function whose name
starts with the case's name_NNN (memory_leak_003 and
memory_leak_003_func_001 are one case).

Three defect kinds are connlint's; a case of one of them is found when a
finding of its rule lies in the case:

    Memory Leakage                                 connection-leak
    Double free                                    double-release
    Invalid memory access to already freed area    use-after-release

Any finding (of any rule) in a case of 02.wo_Defects flags that clean case,
whatever its defect kind. Findings in 01.w_Defects cases of other kinds
are listed apart (--details): the defective code may also leak.

    python3 bench/suite/itc.py ITC_ROOT [--connlint build/connlint] [-j 2]
        [--details]

Packs: posix and libc-memory (built in); no configuration, no cache. The
suite's code is read from the path given, never copied.
"""
import argparse
import collections
import os
import re
import sys

from suite_run import add_common_args, finding_line, run_connlint

KINDS = {
    "Memory Leakage": "connection-leak",
    "Double free": "double-release",
    "Invalid memory access to already freed area": "use-after-release",
}
MARK_RE = re.compile(r"/\*\s*(No )?ERROR:\s*([^*]*?)\s*\*/")
DEF_RE = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\([^;]*$")
CASE_RE = re.compile(r"^(\w*?_\d+)")


def case_of(function):
    m = CASE_RE.match(function or "")
    return m.group(1) if m else None


def marks(path):
    """[(case, defect, clean)] from the file's ERROR / No ERROR comments."""
    out = []
    current = None
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = DEF_RE.match(line)
            if m and m.group(1) not in ("if", "while", "for", "switch", "return"):
                current = m.group(1)
            for mm in MARK_RE.finditer(line):
                case = case_of(current)
                if case:
                    out.append((case, mm.group(2).strip(), bool(mm.group(1))))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root")
    add_common_args(ap)
    args = ap.parse_args()

    folders = [("01.w_Defects", False), ("02.wo_Defects", True)]
    files = []
    cases = {}    # (file, case) -> (defect, clean)
    for folder, clean in folders:
        d = os.path.join(args.root, folder)
        for name in sorted(os.listdir(d)):
            if not name.endswith(".c"):
                continue
            path = os.path.join(d, name)
            files.append(path)
            for case, defect, is_clean in marks(path):
                cases.setdefault((path, case), (defect, is_clean))

    findings, unparsed = run_connlint(args.connlint, args.jobs, ["posix", "libc-memory"], files,
                                      ["-I" + os.path.abspath(os.path.join(args.root, "include"))])

    hits = collections.defaultdict(list)   # (file, case) -> findings
    for f in findings:
        key = (os.path.abspath(f["file"]), case_of(f.get("function")))
        hits[key].append(f)
    keyed = {(os.path.abspath(p), c): v for (p, c), v in cases.items()}

    found = collections.Counter()
    total_bad = collections.Counter()
    flagged = collections.Counter()
    total_clean = collections.Counter()
    missed, false_alarms, elsewhere, unplaced = [], [], [], []
    for key, (defect, clean) in sorted(keyed.items()):
        kind = defect if defect in KINDS else "other"
        fs = hits.get(key, [])
        if clean:
            total_clean[kind] += 1
            if fs:
                flagged[kind] += 1
                false_alarms += fs
        elif kind != "other":
            total_bad[kind] += 1
            if any(f["rule"] == KINDS[kind] for f in fs):
                found[kind] += 1
            else:
                missed.append((key, defect))
        else:
            elsewhere += fs
    for key, fs in hits.items():
        if key not in keyed:
            unplaced += fs

    print("ITC benchmarks (C): %d files, %d not analysed%s" %
          (len(files), len(unparsed), (": " + " ".join(os.path.basename(u) for u in unparsed))
           if unparsed else ""))
    print("%-46s %12s %16s" % ("defect kind (rule)", "found", "clean flagged"))
    for kind in list(KINDS) + ["other"]:
        bad = ("%d/%d" % (found[kind], total_bad[kind])) if kind in KINDS else "-"
        print("%-46s %12s %16s" % (kind[:46], bad,
                                   "%d/%d" % (flagged[kind], total_clean[kind])))
    print("%-46s %12s %16s" % ("all", "%d/%d" % (sum(found.values()), sum(total_bad.values())),
                               "%d/%d" % (sum(flagged.values()), sum(total_clean.values()))))
    print("findings in defective cases of other kinds: %d; outside any case: %d"
          % (len(elsewhere), len(unplaced)))
    if args.details:
        def show(f):
            return finding_line(f, lambda path: os.path.relpath(path, args.root))
        print("\nmissed:")
        for (path, case), defect in missed:
            print("  %s %s (%s)" % (os.path.relpath(path, args.root), case, defect))
        print("\nclean cases flagged:")
        for f in false_alarms:
            print(show(f))
        print("\nin defective cases of other kinds:")
        for f in elsewhere:
            print(show(f))
        print("\noutside any case:")
        for f in unplaced:
            print(show(f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
