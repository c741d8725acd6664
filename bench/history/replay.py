#!/usr/bin/env python3
"""replay.py — replays leak-fix commits of real projects as before/after
pairs: for each (repo, commit, file) of a pair list, the file's folder and
every header of the tree are taken at the fix's parent and at the fix (git
archive of a mirror), connlint is run on the file in each, and the findings
in the functions the fix changed are compared.

    replay.py PAIRS.tsv --connlint build/connlint --mirrors DIR [-j 2]
              [--only SUBSTR] [--keep DIR] [--details]

PAIRS.tsv: REPO<TAB>COMMIT<TAB>FILE<TAB>PACKS(comma)<TAB>PROFILE[<TAB>NOTE]
(# starts a comment). REPO is owner/name; its bare git directory is
MIRRORS/owner+name/repo. PROFILE names an entry of profiles.json (compiler
flags; {root} is the extracted tree, {dir} the file's folder there).

Per pair, with B = findings in the changed functions at the parent, A = the
same at the fix (a finding is matched across the two by rule, function and
message with numbers blanked, first at the line the diff moves it to):
  found    B has a finding A does not (the leak the fix removed)
  quiet    A has nothing new and nothing of B the fix should have ended
           (i.e. found, and A \\ B is empty)
  both     B is non-empty but all of it is still in A (the fix unseen)
  missed   B is empty (and the changed function was analysed)
  skipped  a changed function was not analysed (parse errors) on a side
'new elsewhere' counts findings of the fix outside the changed functions
that the parent did not have (noise a change caused elsewhere).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def git(gd, *args, **kw):
    return subprocess.run(["git", "--git-dir", gd, *args], capture_output=True,
                          check=True, **kw).stdout


def extract(gd, rev, path, dest):
    """The file's folder (all of it) and every header of the tree at rev."""
    folder = os.path.dirname(path) or "."
    specs = [":(glob)**/*.h", folder if folder != "." else ":(glob)*"]
    tar = git(gd, "archive", rev, "--", *specs)
    os.makedirs(dest)
    subprocess.run(["tar", "-x", "-C", dest], input=tar, check=True)


def changed_ranges(gd, rev, path):
    """Line ranges of the functions the commit changed (old, new), the text
    of those functions, and the -U0 hunks (to map an old line to its new
    number)."""
    attrs = os.path.join(tempfile.gettempdir(), "connlint-history-attrs")
    with open(attrs, "w") as f:
        f.write("*.c diff=cpp\n*.h diff=cpp\n")

    def diff(*opts):
        return subprocess.run(
            ["git", "-c", "core.attributesFile=" + attrs, "--git-dir", gd, "diff",
             *opts, rev + "^", rev, "--", path],
            capture_output=True, check=True, text=True, errors="replace").stdout

    def hunks(out):
        for line in out.splitlines():
            m = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", line)
            if m:
                yield (int(m.group(1)), int(m.group(2) or 1),
                       int(m.group(3)), int(m.group(4) or 1))

    out = diff("-W", "-U0")
    old = [(a, a + b - 1) for a, b, c, d in hunks(out)]
    new = [(c, c + d - 1) for a, b, c, d in hunks(out)]
    text = "\n".join(l[1:] for l in out.splitlines()
                     if l[:1] in " +-" and not l.startswith(("+++", "---")))
    u0 = diff("-U0")
    # the function each -U0 hunk is in, from git's hunk header (cpp driver)
    names = set()
    for line in u0.splitlines():
        m = re.match(r"@@ [^@]* @@.*?\b([A-Za-z_]\w*)\s*\(", line)
        if m:
            names.add(m.group(1))
    return old, new, text, list(hunks(u0)), names


def new_line(line, hunks):
    """The number an unchanged line of the parent has at the fix."""
    delta = 0
    for a, b, c, d in hunks:
        start = a if b else a + 1  # b == 0: lines inserted after line a
        if line < start:
            break
        if b and line < a + b:
            return None  # the line itself was changed
        delta = (c + d) - (a + b)
    return line + delta


def run(connlint, root, path, packs, flags, jobs):
    out = os.path.join(root, ".findings.json")
    cmd = [connlint, "--no-cache", "--keep-going", "--fail-on", "none",
           "-v", "-j", str(jobs), "--format", "json", "-o", out]
    for p in packs:
        cmd += ["--rules", p]
    cmd += [path, "--"] + flags
    r = subprocess.run(cmd, cwd=root, capture_output=True, text=True,
                       errors="replace")
    if r.returncode not in (0, 1):
        raise RuntimeError(f"connlint exit {r.returncode}: {r.stderr[-400:]}")
    found = [x for x in json.load(open(out)) if x["rule"] != "unused-suppression"
             and x["file"] == path]
    skipped = set()
    for m in re.finditer(r"warning: (\S+): \d+ functions? not analysed \(parse "
                         r"errors in (?:its|their) bod(?:y|ies)\): (.*)", r.stderr):
        if m.group(1) == path:
            skipped |= {s.strip() for s in m.group(2).split(",")}
    return found, skipped


def key(x):
    return (x["rule"], x["function"], re.sub(r"\d+", "#", x["message"]))


def inside(x, ranges):
    return any(a <= x["line"] <= b for a, b in ranges)


def show(x):
    return f"    {x['line']}: {x['rule']} [{x['function']}] {x['message']}"


def replay(pair, a, profiles):
    repo, rev, path, packs, prof = pair[:5]
    gd = os.path.join(a.mirrors, repo.replace("/", "+"), "repo")
    rev = git(gd, "rev-parse", rev).decode().strip()
    old_r, new_r, text, hunks, names = changed_ranges(gd, rev, path)
    packs = [p if not p.endswith(".json") else os.path.join(HERE, "..", "triage", p)
             for p in packs.split(",") if p]
    tmp = tempfile.mkdtemp(prefix="connlint-history-")
    try:
        res = {}
        for side, r in (("before", rev + "^"), ("after", rev)):
            root = os.path.join(tmp, side)
            extract(gd, r, path, root)
            flags = [f.format(root=root, here=HERE, dir=os.path.join(root, os.path.dirname(path)))
                     for f in profiles[prof]]
            res[side] = run(a.connlint, root, path, packs, flags, a.jobs)
        if a.keep:
            dst = os.path.join(a.keep, rev[:12])
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(tmp, dst)
    finally:
        shutil.rmtree(tmp)
    (fb, sb), (fa, sa) = res["before"], res["after"]
    B = [x for x in fb if inside(x, old_r) or x["function"] in names]
    A = [x for x in fa if inside(x, new_r) or x["function"] in names]
    # the same finding on both sides: same key at the line the diff maps
    # it to, else the same key (in line order) among those left
    left = list(A)
    pairs_ba = []
    for x in B:
        nl = new_line(x["line"], hunks)
        m = next((y for y in left if key(y) == key(x) and y["line"] == nl), None)
        if m:
            left.remove(m)
            pairs_ba.append(x)
    unmatched_b = [x for x in B if x not in pairs_ba]
    gone = []
    for x in unmatched_b:
        m = next((y for y in left if key(y) == key(x)), None)
        if m:
            left.remove(m)
        else:
            gone.append(x)
    new = left
    kept = [x for x in A if x not in new]
    out_b = [key(x) for x in fb if not (inside(x, old_r) or x["function"] in names)]
    elsewhere = []
    for x in fa:
        if inside(x, new_r) or x["function"] in names:
            continue
        if key(x) in out_b:
            out_b.remove(key(x))
        else:
            elsewhere.append(x)
    touched = {s for s in sb | sa if s in names or re.search(r"\b" + re.escape(s) + r"\s*\(", text)}
    if not B and touched:
        verdict = "skipped"
    elif not B:
        verdict = "missed"
    elif not gone:
        verdict = "both"
    elif new:
        verdict = "found-noisy"
    else:
        verdict = "found-quiet"
    return verdict, dict(gone=gone, new=new, kept=kept, elsewhere=elsewhere,
                         skipped=sorted(touched))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs")
    ap.add_argument("--connlint", required=True)
    ap.add_argument("--mirrors", required=True)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--only")
    ap.add_argument("--keep")
    ap.add_argument("--details", action="store_true")
    a = ap.parse_args()
    a.connlint = os.path.abspath(a.connlint)
    profiles = json.load(open(os.path.join(HERE, "profiles.json")))
    pairs = []
    for line in open(a.pairs):
        line = line.rstrip("\n")
        if line.strip() and not line.startswith("#"):
            pairs.append(line.split("\t"))
    tally = {}
    noise = 0
    for p in pairs:
        if a.only and a.only not in "\t".join(p):
            continue
        try:
            verdict, d = replay(p, a, profiles)
        except (subprocess.CalledProcessError, RuntimeError, KeyError) as e:
            verdict, d = "error", None
            print(f"{p[0]} {p[1][:12]} {p[2]}: error: {e}", file=sys.stderr)
        tally[verdict] = tally.get(verdict, 0) + 1
        extra = ""
        if d:
            noise += len(d["elsewhere"])
            extra = (f" gone={len(d['gone'])} new={len(d['new'])} kept={len(d['kept'])}"
                     f" elsewhere={len(d['elsewhere'])}")
            if d["skipped"]:
                extra += " skipped=" + ",".join(d["skipped"])
        print(f"{verdict:12} {p[0]} {p[1][:12]} {p[2]}{extra}", flush=True)
        if a.details and d:
            for name in ("gone", "new", "kept", "elsewhere"):
                for x in d[name]:
                    print(f"  {name}:" + show(x)[3:])
    n = sum(tally.values())
    found = tally.get("found-quiet", 0) + tally.get("found-noisy", 0)
    print(f"\n{n} pairs: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    analysed = n - tally.get("skipped", 0) - tally.get("error", 0)
    print(f"found before: {found} / {analysed} analysed pairs; quiet after "
          f"(found, nothing new in the changed functions): {tally.get('found-quiet', 0)}"
          f" / {found}; new findings elsewhere in the fixed files: {noise}")


if __name__ == "__main__":
    main()
