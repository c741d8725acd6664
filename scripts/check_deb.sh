#!/usr/bin/env bash
# check_deb.sh BUILD_DIR — builds the Debian package with `cpack -G DEB` in
# BUILD_DIR, extracts it into an empty folder (dpkg-deb -x, nothing is
# installed on the system) and checks its contents: the binary runs from
# there (--version, --list-packs), the man page and every pack of rules/ are
# in it, and the package depends on libclang and cJSON only.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb not found"; exit 77; }
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls -t "$build"/connlint_*.deb | head -1)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$root/usr/bin/connlint" ] || fail "no usr/bin/connlint in $deb"
"$root/usr/bin/connlint" --version >/dev/null || fail "the packaged binary does not run"
ls "$root"/usr/share/man/man1/connlint.1* >/dev/null 2>&1 || fail "no man page in $deb"
listed=$("$root/usr/bin/connlint" --list-packs)
for pack in "$src"/rules/*.json; do
  name=$(basename "$pack")
  cmp -s "$pack" "$root/usr/share/connlint/rules/$name" || fail "rules/$name missing or different in $deb"
  grep -q "^${name%.json} " <<<"$listed" || fail "pack ${name%.json} not embedded"
done
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
[ -n "$depends" ] || fail "no Depends field"
IFS=',' read -ra deps <<<"$depends"
for d in "${deps[@]}"; do
  d=$(echo "$d" | sed 's/^ *//; s/ .*//')
  case "$d" in
    libclang*|libcjson*) ;;
    *) fail "unexpected runtime dependency $d" ;;
  esac
done
echo "$depends" | grep -q libclang || fail "no libclang dependency"
echo "$depends" | grep -q libcjson || fail "no libcjson dependency"
echo "ok: $(basename "$deb"): $(cd "$root" && find . -type f | wc -l) files"
