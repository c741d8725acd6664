#!/usr/bin/env python3
"""validate_ci_formats.py CONNLINT DIR... — the codeclimate (GitLab Code
Quality) and checkstyle reports, on every folder given (each run with its
own .connlint.json, as the fixture tests do):

  - codeclimate validates against gitlab-codequality.schema.json (GitLab's
    documented required fields, with python3-jsonschema), and checkstyle
    against checkstyle.xsd (with xmllint, libxml2-utils);
  - both report exactly the findings the text report shows (not the
    suppressed or baseline ones), at the same lines;
  - codeclimate fingerprints are the JSON report's fingerprints (SARIF's
    "connlint/v1"), unique within a report;
  - XML escaping: a finding whose message holds & < > " ' survives a
    round trip through an XML parser.

Exits 77 (skipped) when jsonschema or xmllint is missing, except in CI
(CI=true), where that is a failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def tools_or_skip():
    missing = []
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        system = "/usr/bin/python3"
        if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system):
            # Debian's python3-jsonschema is installed for the system python
            os.execv(system, [system, *sys.argv])
        missing.append("python3-jsonschema")
    if not shutil.which("xmllint"):
        missing.append("xmllint (libxml2-utils)")
    if missing:
        msg = "missing " + ", ".join(missing)
        if os.environ.get("CI") == "true":
            fail(msg + " (scripts/bootstrap.sh installs them)")
        print("SKIP: " + msg)
        sys.exit(77)


def run(connlint, cwd, fmt):
    p = subprocess.run([connlint, "--format", fmt, "--fail-on", "none", "--keep-going", "."], cwd=cwd,
                       capture_output=True)
    if p.returncode != 0:
        fail("%s: --format %s exited %d\n%s" % (cwd, fmt, p.returncode, p.stderr.decode()))
    return p.stdout


def shown(findings):
    return sorted((f["file"], f["line"], f["rule"]) for f in findings
                  if not f["suppressed"] and f["baseline_state"] in (None, "new"))


def check_codeclimate(connlint, folder, schema, json_findings):
    import jsonschema
    out = run(connlint, folder, "codeclimate")
    issues = json.loads(out)
    try:
        jsonschema.validate(issues, schema)
    except jsonschema.ValidationError as e:
        fail("%s: codeclimate does not validate: %s" % (folder, e.message))
    got = sorted((i["location"]["path"], i["location"]["lines"]["begin"], i["check_name"]) for i in issues)
    if got != shown(json_findings):
        fail("%s: codeclimate issues differ from the shown findings:\n%s\n%s" % (folder, got, shown(json_findings)))
    prints = [i["fingerprint"] for i in issues]
    if len(set(prints)) != len(prints):
        fail("%s: codeclimate fingerprints are not unique" % folder)
    want = sorted(f["fingerprint"] for f in json_findings
                  if not f["suppressed"] and f["baseline_state"] in (None, "new"))
    if sorted(prints) != want:
        fail("%s: codeclimate fingerprints are not the findings' fingerprints" % folder)
    return len(issues)


def check_checkstyle(connlint, folder, xsd, json_findings):
    out = run(connlint, folder, "checkstyle")
    with tempfile.NamedTemporaryFile(suffix=".xml") as tmp:
        tmp.write(out)
        tmp.flush()
        p = subprocess.run(["xmllint", "--noout", "--schema", xsd, tmp.name], capture_output=True)
        if p.returncode != 0:
            fail("%s: checkstyle does not validate:\n%s" % (folder, p.stderr.decode()))
    root = ET.fromstring(out)
    got = sorted((f.get("name"), int(e.get("line")), e.get("source")[len("connlint."):])
                 for f in root.iter("file") for e in f.iter("error"))
    if got != shown(json_findings):
        fail("%s: checkstyle errors differ from the shown findings" % folder)
    names = [f.get("name") for f in root.iter("file")]
    if len(set(names)) != len(names):
        fail("%s: a file appears twice in checkstyle" % folder)
    return len(got)


def check_escaping(connlint, xsd):
    """A pack whose resource description holds XML's special characters: the
    message round-trips through the XML parser unchanged."""
    with tempfile.TemporaryDirectory() as tmp:
        desc = "conn <\"&'> \x01"
        pack = {"version": 1, "name": "esc", "resources": [
            {"id": "esc-conn", "description": desc, "acquire": [{"function": "esc_open"}],
             "release": [{"function": "esc_close", "arg": 0}]}]}
        with open(os.path.join(tmp, "esc.json"), "w") as f:
            json.dump(pack, f)
        with open(os.path.join(tmp, ".connlint.json"), "w") as f:
            json.dump({"version": 1, "rules": ["./esc.json"]}, f)
        with open(os.path.join(tmp, "a&b.c"), "w") as f:
            f.write("void *esc_open(void);\nvoid f(void) { void *c = esc_open(); (void)c; }\n")
        out = run(connlint, tmp, "checkstyle")
        p = subprocess.run(["xmllint", "--noout", "--schema", xsd, "-"], input=out, capture_output=True)
        if p.returncode != 0:
            fail("escaping: checkstyle does not validate:\n%s\n%s" % (out.decode(), p.stderr.decode()))
        root = ET.fromstring(out)
        files = list(root.iter("file"))
        if len(files) != 1 or files[0].get("name") != "a&b.c":
            fail("escaping: file name not round-tripped: %s" % out.decode())
        msg = files[0].find("error").get("message")
        if "conn <\"&'> " not in msg:
            fail("escaping: message not round-tripped: %r" % msg)
        issues = json.loads(run(connlint, tmp, "codeclimate"))
        if len(issues) != 1 or "conn <\"&'>" not in issues[0]["description"]:
            fail("escaping: codeclimate description not round-tripped")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tools_or_skip()
    connlint = os.path.abspath(sys.argv[1])
    with open(os.path.join(HERE, "gitlab-codequality.schema.json")) as f:
        schema = json.load(f)
    xsd = os.path.join(HERE, "checkstyle.xsd")
    total = 0
    for folder in sys.argv[2:]:
        findings = json.loads(run(connlint, folder, "json"))
        n = check_codeclimate(connlint, folder, schema, findings)
        if check_checkstyle(connlint, folder, xsd, findings) != n:
            fail("%s: codeclimate and checkstyle disagree" % folder)
        total += n
    check_escaping(connlint, xsd)
    print("codeclimate and checkstyle: %d findings in %d folders validated" % (total, len(sys.argv) - 2))


if __name__ == "__main__":
    main()
