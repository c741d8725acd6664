#!/usr/bin/env python3
"""config_cli_test.py — runs the connlint binary on command-line and
configuration cases and checks exit status, stdout and stderr.

    config_cli_test.py CONNLINT SOURCE_ROOT CASE
"""
import os
import subprocess
import sys
import tempfile


def run(connlint, args, cwd):
    return subprocess.run([connlint] + args, cwd=cwd, capture_output=True, text=True)


def check(cond, what, proc):
    if not cond:
        print(f"FAIL: {what}\n--- status {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}")
    return cond


def case_unknown_key(connlint, root, tmp):
    proc = run(connlint, ["--config", "fixtures/config/unknown_key.json", "fixtures/config"], root)
    return (check(proc.returncode == 2, "exit status 2", proc) and
            check("connlint: error: fixtures/config/unknown_key.json:4:3: unknown key 'hanlders'"
                  in proc.stderr, "file, line, column and key named", proc) and
            check("expected one of: version, rules, handlers" in proc.stderr, "the known keys listed", proc))


def case_config_found_upwards(connlint, root, tmp):
    """A broken .connlint.json two folders up is found (and rejected)."""
    sub = os.path.join(tmp, "a", "b")
    os.makedirs(sub)
    with open(os.path.join(tmp, ".connlint.json"), "w") as f:
        f.write('{\n  "version": 1,\n  "levels": {"connection-leak": "fatal"}\n}\n')
    proc = run(connlint, [], sub)
    return (check(proc.returncode == 2, "exit status 2", proc) and
            check(".connlint.json:3:33: level of 'connection-leak' must be" in proc.stderr,
                  "position of the bad level", proc))


def case_list_packs(connlint, root, tmp):
    proc = run(connlint, ["--list-packs"], tmp)
    ok = check(proc.returncode == 0, "exit status 0", proc)
    for name in ["libpq", "session", "mysql", "sqlite", "hiredis", "libcurl", "odbc", "apr-dbd"]:
        ok = ok and check(any(l.startswith(name + " ") for l in proc.stdout.splitlines()),
                          f"pack {name} listed", proc)
    return ok and check("pg-conn" in proc.stdout and "(per-request)" in proc.stdout,
                        "resources listed", proc)


def case_list_rules(connlint, root, tmp):
    proc = run(connlint, ["--list-rules"], tmp)
    ok = check(proc.returncode == 0, "exit status 0", proc)
    for rule in ["connection-leak", "per-request-outside-handler", "double-release", "use-after-release"]:
        ok = ok and check(rule in proc.stdout, f"{rule} listed", proc)
    return ok


def case_explain(connlint, root, tmp):
    proc = run(connlint, ["--explain", "connection-leak"], tmp)
    ok = (check(proc.returncode == 0, "exit status 0", proc) and
          check("connection-leak (default level: error)" in proc.stdout, "title", proc) and
          check("PQfinish(conn);" in proc.stdout and "Noncompliant" in proc.stdout, "examples", proc))
    bad = run(connlint, ["--explain", "no-such-rule"], tmp)
    return ok and check(bad.returncode == 2, "unknown rule: exit 2", bad)


def case_unknown_option(connlint, root, tmp):
    proc = run(connlint, ["--frobnicate"], tmp)
    return (check(proc.returncode == 2, "exit status 2", proc) and
            check(proc.stderr == "connlint: error: unrecognized option '--frobnicate'\n"
                  "Try 'connlint --help' for more information.\n", "exact message", proc) and
            check(proc.stdout == "", "nothing on stdout", proc))


def case_bad_values(connlint, root, tmp):
    ok = True
    for args in (["-j", "0"], ["-j", "x"], ["--format", "xml"], ["--fail-on", "fatal"], ["--config"]):
        proc = run(connlint, args, tmp)
        ok = ok and check(proc.returncode == 2 and proc.stderr.count("\n") == 2 and
                          proc.stderr.startswith("connlint: error: "), f"{args}: one error line, exit 2", proc)
    return ok


def case_help_version(connlint, root, tmp):
    proc = run(connlint, ["--help"], tmp)
    ok = check(proc.returncode == 0, "--help exits 0", proc)
    for opt in ["--config", "--rules", "--handlers", "--exclude", "--compile-commands", "--format",
                "--output", "--jobs", "--srcroot", "--baseline", "--write-baseline", "--fail-on",
                "--keep-going", "--list-rules", "--list-packs", "--explain", "--dump-cfg",
                "--report-unused-suppressions", "--category", "--version", "Exit status",
                ".connlint.json", "Examples"]:
        ok = ok and check(opt in proc.stdout, f"--help mentions {opt}", proc)
    ver = run(connlint, ["--version"], tmp)
    return ok and check(ver.returncode == 0 and ver.stdout.startswith("connlint ") and "libclang: " in ver.stdout,
                        "--version names connlint's and libclang's versions", ver)


def case_missing_path(connlint, root, tmp):
    proc = run(connlint, ["--rules", "libpq", "no/such/dir"], tmp)
    return (check(proc.returncode == 2, "exit status 2", proc) and
            check("no/such/dir: no such file or directory" in proc.stderr, "path named", proc))


def case_unknown_pack(connlint, root, tmp):
    proc = run(connlint, ["--rules", "postgres", "."], tmp)
    return (check(proc.returncode == 2, "exit status 2", proc) and
            check("unknown rule pack 'postgres' (built-in packs: " in proc.stderr, "names the pack", proc))


def case_bad_pack_file(connlint, root, tmp):
    pack = os.path.join(root, "fixtures/config/bad_packs/arg_out_of_range.json")
    proc = run(connlint, ["--rules", pack, "."], tmp)
    return (check(proc.returncode == 2, "exit status 2", proc) and
            check("arg_out_of_range.json:5:43: 'arg' must be an argument index from 0 to 31"
                  in proc.stderr, "position", proc))


def case_verbose_coverage(connlint, root, tmp):
    """--verbose counts analysed and skipped functions; a function with a
    parse error in its body is named on stderr and in SARIF's
    notifications (as a warning), the others are still analysed."""
    with open(os.path.join(tmp, "t.c"), "w") as f:
        f.write("int ok(int a) { return a + 1; }\n"
                "int broken(int a) { return a + ; }\n"
                "int fine(void) { return 0; }\n")
    sarif = os.path.join(tmp, "out.sarif")
    # --no-prefilter: t.c names nothing a pack knows, the pre-filter would not parse it
    proc = run(connlint, ["-v", "--no-prefilter", "--keep-going", "--format", "sarif", "-o", sarif, "t.c"], tmp)
    ok = (check(proc.returncode == 0, "exit status 0 with --keep-going", proc) and
          check("t.c: 1 function not analysed (parse errors in its body): broken" in proc.stderr,
                "skipped function named", proc) and
          check("connlint: 2 functions analysed; skipped: 1 with parse errors in the body, "
                "0 nested too deeply; 0 files not parsed" in proc.stderr, "coverage line", proc))
    if not ok:
        return False
    import json
    with open(sarif) as f:
        notes = json.load(f)["runs"][0]["invocations"][0].get("toolExecutionNotifications", [])
    texts = [(n["level"], n["message"]["text"]) for n in notes]
    ok = check(("warning", "1 function not analysed (parse errors in its body): broken") in texts,
               "SARIF notification", proc)
    quiet = run(connlint, ["--no-prefilter", "--keep-going", "t.c"], tmp)
    return ok and check("functions analysed" not in quiet.stderr and "not analysed" not in quiet.stderr,
                        "nothing extra without --verbose", quiet)


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main(argv):
    connlint, root, case = os.path.abspath(argv[1]), os.path.abspath(argv[2]), argv[3]
    with tempfile.TemporaryDirectory() as tmp:
        ok = CASES[case](connlint, root, tmp)
    print(f"{case}: {'ok' if ok else 'failed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
