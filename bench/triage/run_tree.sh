#!/bin/bash
# run_tree.sh — runs connlint on part of a real source tree for the triage
# (bench/triage/NOTES.md): JSON findings into $OUT/NAME.json, stderr into
# $OUT/NAME.err and one line per finding into $OUT/NAME.txt (show.py).
#
#   run_tree.sh NAME CONNLINT TREE_DIR FLAGS_FILE PACK... -- PATH...
#
# FLAGS_FILE holds the compiler flags (one line) passed after `--`.
# OUT defaults to /tmp/res.
out=${OUT:-/tmp/res}; mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
name=$1; bin=$2; cwd=$3; flags=$(cat "$4"); shift 4
packs=(); while [ "$1" != "--" ]; do packs+=(--rules "$1"); shift; done; shift
cd "$cwd" && "$bin" "${packs[@]}" --keep-going --fail-on none -j2 --format json -o "$out/$name.json" "$@" -- $flags 2>"$out/$name.err"
python3 "$here/show.py" "$out/$name.json" > "$out/$name.txt"
