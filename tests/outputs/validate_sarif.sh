#!/bin/sh
# validate_sarif.sh CONNLINT DIR... — runs `connlint --format sarif` in each
# folder and checks the log with the Microsoft SARIF multitool
# (`validate --rule-kind "Gh;Sarif"`): any error or warning fails the test.
#
# The validator is found as $SARIF_MULTITOOL, else Sarif.Multitool on PATH,
# else in node_modules under the checkout's .tools/ (scripts/bootstrap.sh
# puts it there), the checkout, the current folder or /tmp/sarifmt
# (`npm install @microsoft/sarif-multitool`). Without it the test is skipped
# (exit 77) — except in CI (CI set), where a missing validator fails.
set -u

connlint=$1
shift
case $connlint in /*) ;; *) connlint="$PWD/$connlint" ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)

find_validator() {
    if [ -n "${SARIF_MULTITOOL:-}" ]; then echo "$SARIF_MULTITOOL"; return; fi
    p=$(command -v Sarif.Multitool 2>/dev/null) && { echo "$p"; return; }
    for dir in "$root/.tools" "$root" "$PWD" /tmp/sarifmt; do
        p="$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
        [ -f "$p" ] && { echo "$p"; return; }
    done
}

validator=$(find_validator)
if [ -z "$validator" ]; then
    if [ -n "${CI:-}" ]; then
        echo "FAIL: the SARIF multitool is not installed (npm install @microsoft/sarif-multitool; or set SARIF_MULTITOOL)" >&2
        exit 1
    fi
    echo "SKIP: the SARIF multitool is not installed (npm install @microsoft/sarif-multitool; or set SARIF_MULTITOOL)"
    exit 77
fi
[ -x "$validator" ] || chmod u+x "$validator" 2>/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

# connlint_sarif NAME DIR [ARGS...]: writes $tmp/NAME.sarif.
connlint_sarif() {
    name=$1 dir=$2
    shift 2
    (cd "$dir" && "$connlint" --format sarif --fail-on none --keep-going -o "$tmp/$name.sarif" "$@" .) 2>"$tmp/stderr"
    rc=$?
    if [ "$rc" -ne 0 ] || [ ! -f "$tmp/$name.sarif" ]; then
        echo "FAIL: connlint exited $rc in $dir" >&2
        cat "$tmp/stderr" >&2
        status=1
    fi
}

n=0
for dir in "$@"; do
    n=$((n + 1))
    connlint_sarif "run$n" "$dir"
done
# Baseline states: the first folder against itself (unchanged), the second
# against the first (new, and absent results from the other tree).
if [ -f "$tmp/run1.sarif" ]; then
    connlint_sarif baseline-unchanged "$1" --baseline "$tmp/run1.sarif"
    [ $# -ge 2 ] && connlint_sarif baseline-new-absent "$2" --baseline "$tmp/run1.sarif"
fi

# One validator run for all logs (it takes seconds to start). DOTNET_*
# settings keep it from needing ICU or a writable HOME.
vlog="$tmp/validation.sarif"
DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    "$validator" validate --rule-kind "Gh;Sarif" -o "$vlog" "$tmp"/*.sarif >"$tmp/vout" 2>&1
vrc=$?
if [ ! -f "$vlog" ]; then
    echo "FAIL: the validator wrote no log (exit $vrc):" >&2
    cat "$tmp/vout" >&2
    exit 1
fi
# The validator's findings: a result without "level" is a warning.
problems=$(python3 - "$vlog" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
bad = []
for run in log.get("runs", []):
    for r in run.get("results", []):
        if r.get("level", "warning") in ("error", "warning"):
            msg = r.get("message", {})
            where = [l.get("physicalLocation", {}).get("artifactLocation", {}).get("uri") for l in r.get("locations", [])]
            bad.append("%s %s %s %s %s" % (r.get("level", "warning"), r.get("ruleId"),
                                           msg.get("text") or msg.get("id", ""), msg.get("arguments", []), where))
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []) + inv.get("toolConfigurationNotifications", []):
            if n.get("level", "warning") in ("error", "warning"):
                bad.append("tool: %s" % n.get("message", {}).get("text"))
print("\n".join(bad))
PY
)
if [ -n "$problems" ] || [ "$vrc" -ne 0 ]; then
    echo "FAIL: the SARIF does not validate cleanly (validator exit $vrc):" >&2
    echo "$problems" >&2
    cat "$tmp/vout" >&2
    exit 1
fi
for f in "$tmp"/*.sarif; do
    case $f in "$vlog") continue ;; esac
    python3 - "$f" <<'PY'
import json, os, sys
run = json.load(open(sys.argv[1]))["runs"][0]
states = sorted({r.get("baselineState", "-") for r in run["results"]})
print("ok: %s: %d results (baseline states %s), no validator error or warning"
      % (os.path.basename(sys.argv[1]), len(run["results"]), ",".join(states)))
PY
done
exit $status
