#!/usr/bin/env bash
# Times, side by side, whole-process `prototxt-lsp check FILE` against whole-process
# `protoc --encode=caffe.NetParameter` (the protoc from the Google.Protobuf.Tools package, with our caffe.proto)
# on the same files, and prints the median of N runs of each and the ratio per file. Prints numbers; asserts nothing.
#   bash tests/bench/compare-protoc.sh [--runs N] [--server PATH] FILE...
# --server defaults to a NativeAOT publish in /tmp/prototxt-lsp-aot (built once), else the framework-dependent build.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
runs=15
server=""
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  corpus="$repo/../shared/corpus/KaimingHe__deep-residual-networks/prototxt"
  [ -d "$corpus" ] && files=("$corpus"/ResNet-50-deploy.prototxt "$corpus"/ResNet-152-deploy.prototxt) || files=("$repo"/examples/nets/*.prototxt)
fi
if [ -z "$server" ]; then
  server=/tmp/prototxt-lsp-aot/prototxt-lsp
  if [ ! -x "$server" ]; then
    echo "building the NativeAOT server into /tmp/prototxt-lsp-aot (once)…" >&2
    dotnet publish "$repo/src/PrototxtLsp.Server" -c Release -r linux-x64 -p:PublishAot=true -o /tmp/prototxt-lsp-aot -nologo >/dev/null 2>&1 \
      || { dotnet build "$repo/PrototxtLsp.sln" -c Release -nologo -v quiet >/dev/null; server="$repo/src/PrototxtLsp.Server/bin/Release/net10.0/prototxt-lsp"; }
  fi
fi
protoc=$(ls "$HOME"/.nuget/packages/google.protobuf.tools/*/tools/linux_x64/protoc | tail -1)
chmod +x "$protoc"
proto_dir="$repo/src/PrototxtLsp.Core/Schema"

# Median wall time in milliseconds of running "$@" $runs times (stdin from $input).
median_ms() {
  local t=() i start end
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    "$@" <"$input" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    t+=($(((end - start) / 1000)))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

echo "server: $server ($("$server" --version))"
echo "protoc: $protoc ($("$protoc" --version))"
echo "runs per measurement: $runs (median, whole process, wall clock)"
printf '%-40s %10s %12s %10s %8s\n' file KB "check (ms)" "protoc (ms)" ratio
for f in "${files[@]}"; do
  input="$f"
  ours=$(input=/dev/null; median_ms "$server" check "$f")
  theirs=$(median_ms "$protoc" --proto_path="$proto_dir" --encode=caffe.NetParameter caffe.proto)
  kb=$(( $(stat -c %s "$f") / 1024 ))
  printf '%-40s %10s %12s %10s %8s\n' "$(basename "$f")" "$kb" "$ours" "$theirs" "$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')"
done
echo "ratio = check / protoc (below 1: prototxt-lsp is faster while doing parse + schema + graph + shapes)"
