#!/usr/bin/env bash
# Fuzzes parse → bind → graph → shapes → features → format with afl++ (Debian's `apt-get install afl++`) through
# SharpFuzz (`dotnet tool install -g SharpFuzz.CommandLine`):
#   tests/PrototxtLsp.Fuzz/run-afl.sh [SECONDS]      (default 1800; work folder $PTX_FUZZ_DIR, default /tmp/ptx-fuzz/afl)
# Publishes the harness, instruments PrototxtLsp.Core.dll, seeds afl with the examples and the small corpus files
# (../shared/corpus, when present), and runs afl-fuzz. Crashes land in $PTX_FUZZ_DIR/out/default/crashes; replay
# one with `dotnet $PTX_FUZZ_DIR/bin/PrototxtLsp.Fuzz.dll repro FILE`, shrink it with `... minimize FILE`, and keep
# it as tests/PrototxtLsp.Tests/FuzzRegressions/NNN.prototxt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${PTX_FUZZ_DIR:-/tmp/ptx-fuzz/afl}
seconds=${1:-1800}
export PATH="$PATH:$HOME/.dotnet/tools"

rm -rf "$work/bin" "$work/in"
mkdir -p "$work/in"
dotnet publish "$here" -c Release -o "$work/bin" -nologo -v quiet
sharpfuzz "$work/bin/PrototxtLsp.Core.dll"

n=0
while IFS= read -r -d '' f; do
  n=$((n + 1)); cp "$f" "$work/in/seed$n.prototxt"
done < <(find "$repo/examples" "$repo/../shared/corpus" -name '*.prototxt' -size -8k -print0 2>/dev/null)
echo "$n seed files"

# dotnet itself is not instrumented (SharpFuzz reports coverage from inside the process); the machine may not let afl
# pin CPUs or change the core pattern.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
resume=()
if [ -d "$work/out/default/queue" ]; then resume=(-i -); else resume=(-i "$work/in"); fi
exec afl-fuzz "${resume[@]}" -o "$work/out" -x "$here/prototxt.dict" -t 10000 -m none -V "$seconds" -- dotnet "$work/bin/PrototxtLsp.Fuzz.dll" afl
