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
n=0
for dir in "$@"; do
    n=$((n + 1))
    sarif="$tmp/run$n.sarif"
    vlog="$tmp/run$n.validation.sarif"
    (cd "$dir" && "$connlint" --format sarif --fail-on none --keep-going -o "$sarif" .) 2>"$tmp/stderr"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: connlint exited $rc in $dir" >&2
        cat "$tmp/stderr" >&2
        status=1
        continue
    fi
    # DOTNET_* settings keep the validator from needing ICU or a writable HOME.
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
        "$validator" validate --rule-kind "Gh;Sarif" -o "$vlog" "$sarif" >"$tmp/vout" 2>&1
    vrc=$?
    if [ ! -f "$vlog" ]; then
        echo "FAIL: the validator wrote no log for $dir (exit $vrc):" >&2
        cat "$tmp/vout" >&2
        status=1
        continue
    fi
    # Count the validator's findings: a result without "level" is a warning.
    problems=$(python3 - "$vlog" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
bad = []
for run in log.get("runs", []):
    for r in run.get("results", []):
        level = r.get("level", "warning")
        if level in ("error", "warning"):
            text = r.get("message", {}).get("text") or r.get("message", {}).get("id", "")
            args = r.get("message", {}).get("arguments", [])
            bad.append("%s %s %s %s" % (level, r.get("ruleId"), text, args))
    for inv in run.get("invocations", []):
        for n in inv.get("toolExecutionNotifications", []) + inv.get("toolConfigurationNotifications", []):
            if n.get("level", "warning") in ("error", "warning"):
                bad.append("tool: %s" % n.get("message", {}).get("text"))
print("\n".join(bad))
PY
)
    if [ -n "$problems" ] || [ "$vrc" -ne 0 ]; then
        echo "FAIL: $dir: the SARIF does not validate cleanly (validator exit $vrc):" >&2
        echo "$problems" >&2
        cat "$tmp/vout" >&2
        status=1
    else
        results=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$sarif")
        echo "ok: $dir: $results results, no validator error or warning"
    fi
done
exit $status
