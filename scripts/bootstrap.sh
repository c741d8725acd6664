#!/usr/bin/env bash
# bootstrap.sh — installs what connlint needs to build and to run its whole
# test suite on Debian 12 (run as root): the compiler, CMake, libclang (14,
# and 19 where the release has it) and cJSON from Debian's packages; python3, git and pre-commit for the script
# tests; xmllint (libxml2-utils) and python3-jsonschema for the codeclimate and
# checkstyle validation tests; and the Microsoft SARIF multitool from the npm registry into
# .tools/ (the SARIF validation tests use it). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
pkgs=(gcc make cmake pkg-config clang libclang-dev libcjson-dev python3 git pre-commit libxml2-utils python3-jsonschema)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# A newer libclang where Debian 12 has one (bookworm ships libclang-19-dev):
# from libclang 17 on, the operator of every expression is exposed, so
# conditions written inside macros are read exactly instead of recovered
# from tokens. The build prefers the newest /usr/lib/llvm-NN; libclang 14
# stays supported and tested (.ci/run builds with both).
if ! dpkg-query -W -f='${Status}' libclang-19-dev 2>/dev/null | grep -q "install ok installed"; then
  if apt-cache show libclang-19-dev >/dev/null 2>&1 ||
     { $SUDO apt-get update -qq && apt-cache show libclang-19-dev >/dev/null 2>&1; }; then
    $SUDO apt-get install -y -qq --no-install-recommends libclang-19-dev ||
      echo "bootstrap: libclang-19-dev not installed; building with libclang 14"
  fi
fi

tool=.tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$tool" ]; then
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --loglevel=error @microsoft/sarif-multitool
  chmod u+x "$tool"
fi
echo "bootstrap: dependencies ready (SARIF multitool: $tool)"
