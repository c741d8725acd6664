#!/usr/bin/env python3
"""show.py — one line per finding of a connlint JSON report (FILE:LINE:COL
RULE [FUNCTION] MESSAGE), then the count; for reading a triage run."""
import json
import sys

findings = [x for x in json.load(open(sys.argv[1])) if x["rule"] != "unused-suppression"]
for x in findings:
    print(f"{x['file']}:{x['line']}:{x['column']} {x['rule']} [{x['function']}] {x['message']}")
print(len(findings), "findings")
