#!/usr/bin/env python3
"""output_snapshot.py — writes every output connlint gives on the fixtures
into one folder, so two builds can be compared byte for byte.

    output_snapshot.py CONNLINT OUTDIR
    diff -r OUTDIR_BEFORE OUTDIR_AFTER

For each fixture folder (every folder under fixtures/ with *.c files, as the
fixture tests run them, with their `// connlint-fixture-args:`), it writes
the report in every format (text, json, sarif, github) plus the exit status;
for fixtures/cfg it writes `--dump-cfg` of every file; plus --list-rules,
--list-packs and --explain of every rule. A behaviour-preserving change
(a restructuring) must leave the folder identical.
"""
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARGS_RE = re.compile(r"//\s*connlint-fixture-args:\s*(.*)$")
FORMATS = ["text", "json", "sarif", "github"]


def fixture_args(folder):
    args = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".c"):
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = ARGS_RE.search(line)
                    if m:
                        for a in shlex.split(m.group(1)):
                            if a not in args:
                                args.append(a)
    return args


def run(cmd, cwd, out_path):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, NO_COLOR="1"))
    with open(out_path, "wb") as f:
        f.write(p.stdout)
        f.write(b"\n--- stderr ---\n")
        f.write(p.stderr)
        f.write(("\n--- exit %d ---\n" % p.returncode).encode())


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: output_snapshot.py CONNLINT OUTDIR")
    exe = os.path.abspath(sys.argv[1])
    out = os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    fixtures = os.path.join(ROOT, "fixtures")
    for name in sorted(os.listdir(fixtures)):
        folder = os.path.join(fixtures, name)
        if not os.path.isdir(folder) or name in ("cfg", "config"):
            continue
        has_c = any(f.endswith(".c") for _, _, fs in os.walk(folder) for f in fs)
        if not has_c:
            continue
        extra = fixture_args(folder)
        for fmt in FORMATS:
            run([exe, "--format", fmt, "--fail-on", "none", "-j", "2"] + extra + ["."],
                folder, os.path.join(out, "%s.%s" % (name, fmt)))
    cfg = os.path.join(fixtures, "cfg")
    for name in sorted(os.listdir(cfg)):
        if name.endswith(".c"):
            run([exe, "--dump-cfg", name], cfg, os.path.join(out, "cfg.%s.dump" % name))
    run([exe, "--list-rules"], ROOT, os.path.join(out, "list-rules"))
    run([exe, "--list-packs"], ROOT, os.path.join(out, "list-packs"))
    rules = subprocess.run([exe, "--list-rules"], stdout=subprocess.PIPE).stdout.decode()
    for line in rules.splitlines():
        rule = line.split()[0] if line.strip() else ""
        if re.match(r"^[a-z][a-z0-9-]*$", rule):
            run([exe, "--explain", rule], ROOT, os.path.join(out, "explain.%s" % rule))


if __name__ == "__main__":
    main()
