#!/usr/bin/env bash
# fuzz/run.sh BUILD_DIR TARGET SECONDS — runs one libFuzzer target of
# BUILD_DIR (configured with -DCONNLINT_FUZZ=ON) for SECONDS at the lowest
# priority, on one core. The corpus lives in BUILD_DIR/corpus/TARGET and is
# seeded from the repository (configs, packs, SARIF snapshots, fixtures);
# crashes are written to BUILD_DIR/crashes/TARGET/.
set -euo pipefail
build=$1 target=$2 seconds=$3
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$build/corpus/$target
crashes=$build/crashes/$target
mkdir -p "$corpus" "$crashes"
seed() { for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$corpus/" 2>/dev/null || true; done; }
case $target in
  fuzz_config) seed "$root"/fixtures/*/.connlint.json "$root"/fixtures/config/*.json ;;
  fuzz_pack) seed "$root"/rules/*.json "$root"/fixtures/config/packs/*.json "$root"/fixtures/config/bad_packs/*.json ;;
  fuzz_baseline) seed "$root"/fuzz/seeds/*.sarif ;;
  fuzz_pipeline) seed "$root"/fixtures/leak/*.c "$root"/fixtures/interproc/*.c "$root"/fixtures/cfg/*.c ;;
esac
dict=()
case $target in fuzz_config|fuzz_pack|fuzz_baseline) dict=(-dict="$root/fuzz/json.dict") ;; esac
exec nice -n 19 "$build/fuzz/$target" "$corpus" "${dict[@]}" -max_total_time="$seconds" \
  -max_len=65536 -timeout=20 -rss_limit_mb=2048 -close_fd_mask=2 -print_final_stats=1 \
  -artifact_prefix="$crashes/"
