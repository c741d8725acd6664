#!/usr/bin/env python3
"""Precision and recall of connlint on the NIST Juliet C/C++ 1.3 test suite.

Runs connlint over the C (not C++) test cases of CWE-401 (memory leak),
CWE-775 (descriptor or handle not released) and CWE-404 (improper
shutdown: mostly a mismatched release, which connlint does not model, so
it is reported apart) and attributes every finding to a function:

- a test case is the files CWExxx_..._NN[a-e].c (NN the flow variant);
- every case has one bad flow (functions whose name contains "bad"): it is
  found when at least one finding lies in such a function;
- its good flows are the functions its CWExxx_..._good() calls (goodG2B,
  goodB2G1, good1...); a finding in a function whose name contains one of
  them (goodB2G1, goodB2G1Sink, goodG2BSource...) flags that good flow.

Cases that include <windows.h> cannot be parsed here and are counted as
skipped. The suite's code is read from the path given, never copied.

    python3 bench/suite/juliet.py SUITE_ROOT [--connlint build/connlint]
        [-j 2] [--cache-dir DIR | (default) --no-cache] [--details]
        [--level RULE=LEVEL ...]

SUITE_ROOT holds testcases/ and testcasesupport/. Packs: posix and
libc-memory (built in). The cache is off by default so every run parses
everything (deliberate: the figures do not depend on an earlier run).
--level gives a rule a level through a configuration in a temporary
folder (the opt-in global-handle-unreleased: --level
global-handle-unreleased=note); without it no configuration is read.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time

CWES = [
    ("CWE-401", "CWE401_Memory_Leak", True),
    ("CWE-775", "CWE775_Missing_Release_of_File_Descriptor_or_Handle", True),
    ("CWE-404", "CWE404_Improper_Resource_Shutdown", False),
]

# Juliet flow variants, by number (its own documentation's names, shortened).
VARIANTS = {
    "01": "baseline", "02": "if(1)", "03": "if(5==5)", "04": "static const",
    "05": "static int flag", "06": "static const five", "07": "static int five",
    "08": "static fn returns 1", "09": "global const", "10": "global int flag",
    "11": "global fn returns 1", "12": "fn returns rand", "13": "global const five",
    "14": "global int five", "15": "switch(6)", "16": "while(1) break",
    "17": "for i<1 loops", "18": "goto", "21": "static flags + sink fns",
    "22": "global flags, sinks in other file", "31": "copy of data",
    "32": "pointer to pointer", "34": "union", "41": "pass to sink",
    "42": "return from source", "44": "function pointer", "45": "static global data",
    "51": "sink in other file", "52": "3 files", "53": "4 files", "54": "5 files",
    "61": "source in other file", "63": "pointer to sink", "64": "void * to sink",
    "65": "function pointer, other file", "66": "array", "67": "struct by value",
    "68": "global data, other file",
}

# What the flow variants that still do worse than the baseline miss, by
# class (see the README's Juliet section). Issue 12's forms 4, 9, 11 and 14
# are handled; form 13 (45, 68: a local copied into a file-scope variable
# that a sink releases, or not) is found by the opt-in rule
# global-handle-unreleased (--level global-handle-unreleased=note).
KNOWN = {
    "17": "realloc of a pointer NULL only through a once-loop",
    "32": "realloc of a pointer NULL only through a pointer to it",
    "42": "realloc of a parameter whose callers all pass NULL",
    "61": "realloc of a parameter whose callers all pass NULL",
    "45": "copied into a file-scope variable (form 13: --level global-handle-unreleased=note finds it)",
    "68": "copied into a file-scope variable (form 13: --level global-handle-unreleased=note finds it)",
    "66": "array of handles passed to a function in another file",
}

CASE_RE = re.compile(r"^(CWE\d+_.+_(\d\d))([a-e])?\.c$")


def collect_cases(cwe_dir):
    """{case: {"files": [...], "variant": NN, "windows": bool}}"""
    cases = {}
    for root, dirs, files in os.walk(cwe_dir):
        dirs.sort()
        for name in sorted(files):
            m = CASE_RE.match(name)
            if not m:
                continue
            c = cases.setdefault(m.group(1), {"files": [], "variant": m.group(2),
                                              "windows": False})
            path = os.path.join(root, name)
            c["files"].append(path)
            with open(path, encoding="latin-1") as f:
                if "<windows.h>" in f.read():
                    c["windows"] = True
    return cases


def good_flows(case, info):
    """Names the case's good() entry calls (goodG2B, goodB2G1, good1...)."""
    entry = case + "_good"
    for path in info["files"]:
        with open(path, encoding="latin-1") as f:
            text = f.read()
        m = re.search(r"void\s+" + re.escape(entry) + r"\s*\(\s*(?:void)?\s*\)\s*\{(.*?)\n\}",
                      text, re.S)
        if m:
            return sorted(set(re.findall(r"\b(good\w*)\s*\(\s*\)\s*;", m.group(1))))
    return []


def run_connlint(args, files, support):
    cmd = [args.connlint, "--format", "json", "--keep-going", "-j", str(args.jobs),
           "--rules", "posix", "--rules", "libc-memory"]
    cmd += ["--cache-dir", args.cache_dir] if args.cache_dir else ["--no-cache"]
    if args.config:
        # --no-project: the configuration's folder is a temporary one, and
        # the suite's files are all given
        cmd += ["--config", args.config, "--no-project"]
    # io.c defines the suite's globals (globalTrue, GLOBAL_CONST_FIVE,
    # globalReturnsTrue()...) that the flow variants 09-14 branch on: it is
    # part of every test program, so it is analysed with them.
    cmd += files + [os.path.join(support, "io.c"), "--", "-I" + support]
    t0 = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr[-4000:])
    try:
        findings = json.loads(p.stdout) if p.stdout.strip() else []
    except json.JSONDecodeError:
        sys.exit("connlint did not print JSON (exit %d): %s" % (p.returncode, p.stderr[-2000:]))
    return findings, time.time() - t0, p.returncode


def attribute(cases, findings):
    """Per case: bad found (bool), set of good flows flagged, rules, unattributed."""
    by_file = {}
    for case, info in cases.items():
        for path in info["files"]:
            by_file[os.path.basename(path)] = case
    res = {case: {"bad": False, "good": set(), "other": []} for case in cases}
    for f in findings:
        case = by_file.get(os.path.basename(f["file"]))
        if case is None:
            continue
        fn = f.get("function") or ""
        r = res[case]
        if "bad" in fn.lower():
            r["bad"] = True
            continue
        goods = [g for g in cases[case]["goods"] if g in fn]
        if goods:
            r["good"].add(max(goods, key=len))
        else:
            r["other"].append((fn, f["line"], f["message"]))
    return res


def pct(a, b):
    return "%5.1f%%" % (100.0 * a / b) if b else "    -"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("suite", help="Juliet root (holds testcases/ and testcasesupport/)")
    ap.add_argument("--connlint", default="build/connlint")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--cache-dir", help="use this cache (default: --no-cache)")
    ap.add_argument("--details", action="store_true",
                    help="list every missed bad flow and flagged good flow")
    ap.add_argument("--cwe", action="append", help="only these (CWE-401, ...)")
    ap.add_argument("--json", help="write the per-case results to this file")
    ap.add_argument("--level", action="append", default=[], metavar="RULE=LEVEL",
                    help="give a rule a level (global-handle-unreleased=note enables the opt-in rule)")
    args = ap.parse_args()
    levels = {}
    for lv in args.level:
        rule, sep, level = lv.partition("=")
        if not sep or not rule or not level:
            sys.exit("--level %s: expected RULE=LEVEL" % lv)
        levels[rule] = level
    if not levels:
        args.config = None
        run(args)
        return
    with tempfile.TemporaryDirectory(prefix="juliet-config-") as d:
        args.config = os.path.join(d, ".connlint.json")
        with open(args.config, "w") as f:
            json.dump({"version": 1, "levels": levels}, f)
        run(args)


def run(args):
    args.connlint = os.path.abspath(args.connlint)
    support = os.path.join(args.suite, "testcasesupport")
    if not os.path.isfile(os.path.join(support, "std_testcase.h")):
        sys.exit("%s: no testcasesupport/std_testcase.h" % args.suite)

    dump = {}
    groups = {True: collections.OrderedDict(), False: collections.OrderedDict()}
    for cwe, folder, main_group in CWES:
        if args.cwe and cwe not in args.cwe:
            continue
        cases = collect_cases(os.path.join(args.suite, "testcases", folder))
        skipped = sum(1 for c in cases.values() if c["windows"])
        cases = {k: v for k, v in cases.items() if not v["windows"]}
        for case, info in cases.items():
            info["goods"] = good_flows(case, info)
        files = sorted(p for c in cases.values() for p in c["files"])
        findings, secs, rc = run_connlint(args, files, support)
        res = attribute(cases, findings)
        groups[main_group][cwe] = (cases, res, skipped, secs, len(findings))
        dump[cwe] = {case: {"variant": cases[case]["variant"], "bad_found": r["bad"],
                            "goods": cases[case]["goods"], "goods_flagged": sorted(r["good"]),
                            "other": r["other"]} for case, r in res.items()}

    for main_group, title in ((True, "CWE-401 + CWE-775 (leaks)"),
                              (False, "CWE-404 (mostly mismatched release: not modelled)")):
        g = groups[main_group]
        if not g:
            continue
        print("\n== %s ==" % title)
        print("%-8s %6s %8s %12s %8s %14s %8s %8s %7s" % (
            "CWE", "cases", "skipped", "bad found", "", "good flagged", "", "other", "secs"))
        tb = tf = tg = tgf = 0
        per_var = collections.defaultdict(lambda: [0, 0, 0, 0])
        for cwe, (cases, res, skipped, secs, nf) in g.items():
            b = len(res)
            bf = sum(1 for r in res.values() if r["bad"])
            gd = sum(len(cases[c]["goods"]) for c in res)
            gf = sum(len(r["good"]) for r in res.values())
            oth = sum(len(r["other"]) for r in res.values())
            tb += b; tf += bf; tg += gd; tgf += gf
            print("%-8s %6d %8d %6d/%-5d %s %7d/%-6d %s %8d %7.1f" % (
                cwe, b, skipped, bf, b, pct(bf, b), gf, gd, pct(gf, gd), oth, secs))
            for c, r in res.items():
                v = per_var[cases[c]["variant"]]
                v[0] += 1; v[1] += r["bad"]; v[2] += len(cases[c]["goods"]); v[3] += len(r["good"])
        if len(g) > 1:
            print("%-8s %6d %8s %6d/%-5d %s %7d/%-6d %s" % (
                "total", tb, "", tf, tb, pct(tf, tb), tgf, tg, pct(tgf, tg)))
        print("\nper flow variant:")
        print("%-3s %-34s %12s %8s %14s %8s  %s" % ("NN", "shape", "bad found", "", "good flagged", "", "note"))
        base = per_var.get("01", [1, 1, 0, 0])
        for var in sorted(per_var):
            n, bf, gd, gf = per_var[var]
            # the note names the known miss class only where this shape
            # does worse than the baseline variant 01
            worse = gf > 0 or bf * base[0] < base[1] * n
            note = KNOWN.get(var, "") if worse else ""
            print("%-3s %-34s %5d/%-6d %s %7d/%-6d %s  %s" % (
                var, VARIANTS.get(var, "?"), bf, n, pct(bf, n), gf, gd, pct(gf, gd), note))
        if args.details:
            print("\ndetails:")
            for cwe, (cases, res, skipped, secs, nf) in g.items():
                for c in sorted(res):
                    r = res[c]
                    if not r["bad"]:
                        print("  MISS  %s" % c)
                    for gname in sorted(r["good"]):
                        print("  FLAG  %s %s" % (c, gname))
                    for fn, line, msg in r["other"]:
                        print("  OTHER %s %s:%d %s" % (c, fn, line, msg))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dump, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
