"""suite_run.py — what the corpus scripts (itc.py, infer_pulse.py,
cppcheck_cfg.py) share: their common options, one connlint run over a
corpus' files read back as JSON findings, and the finding line of the
--details listings. Each script keeps its own reading of the corpus'
annotations and its own scoring."""
import json
import os
import re
import subprocess
import sys


def add_common_args(ap):
    ap.add_argument("--connlint", default="build/connlint")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--details", action="store_true")


def run_connlint(connlint, jobs, packs, files, flags=()):
    """connlint on the files (no cache, no project), with these packs and
    compiler flags: (unsuppressed findings, sorted paths not analysed)."""
    cmd = [os.path.abspath(connlint), "--format", "json", "--keep-going",
           "-j", str(jobs), "--no-cache", "--no-project"]
    for p in packs:
        cmd += ["--rules", p]
    cmd += [os.path.abspath(p) for p in files]
    if flags:
        cmd += ["--"] + list(flags)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr)
    findings = [f for f in json.loads(proc.stdout or "[]") if not f.get("suppressed")]
    unparsed = sorted(set(re.findall(r"error: (\S+): not analysed", proc.stderr)))
    return findings, unparsed


def finding_line(f, name):
    """One finding of a --details listing; name(path) shortens the file."""
    return "  %s:%d %s [%s] %s" % (name(f["file"]), f["line"], f.get("function"), f["rule"],
                                   f["message"])
