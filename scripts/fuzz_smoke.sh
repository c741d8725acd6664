#!/usr/bin/env bash
# fuzz_smoke.sh BUILD_DIR [SECONDS] — builds the libFuzzer targets of fuzz/
# with clang (ASan + UBSan) in BUILD_DIR and runs each for SECONDS
# (default 15) on its seeded corpus. CI runs it so the harnesses keep
# compiling against the code they exercise and the corpus seeds replay
# cleanly; the long runs are fuzz/run.sh's. Skipped (exit 0, a message)
# when clang is not installed.
set -euo pipefail
build=${1:?usage: fuzz_smoke.sh BUILD_DIR [SECONDS]}
seconds=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz_smoke: clang not installed; fuzz targets not built"
  exit 0
fi
targets=(fuzz_config fuzz_pack fuzz_baseline fuzz_pipeline)
CC=clang cmake -S "$root" -B "$build" -DCONNLINT_FUZZ=ON >/dev/null
cmake --build "$build" -j2 --target "${targets[@]}"
for t in "${targets[@]}"; do
  echo "== fuzz smoke: $t (${seconds}s)"
  # a crash ends run.sh with a failure: say which input, and what it did
  status=0
  bash "$root/fuzz/run.sh" "$build" "$t" "$seconds" > "$build/$t.log" 2>&1 || status=$?
  tail -n 3 "$build/$t.log"
  if [ "$status" -ne 0 ] || [ -n "$(ls -A "$build/crashes/$t" 2>/dev/null)" ]; then
    grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$build/$t.log" | head -n 10 >&2 || true
    echo "fuzz_smoke: $t failed (exit $status); inputs in $build/crashes/$t: $(ls "$build/crashes/$t" 2>/dev/null)" >&2
    exit 1
  fi
done
