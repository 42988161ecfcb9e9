#!/usr/bin/env bash
# Compiles and runs page-fault-cost.c: the cost of first-touching memory here, which decides whole-process timings
# (README, Performance). Usage: bash tests/bench/page-fault-cost.sh [PAGES]   (default 4096 pages = 16 MB)
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cc -O2 -o "$out/page-fault-cost" "$dir/page-fault-cost.c"
"$out/page-fault-cost" "${1:-4096}"
