#!/usr/bin/env bash
# Times, side by side, whole-process `prototxt-lsp check FILE` against whole-process
# `protoc --encode=caffe.NetParameter` (the protoc from the Google.Protobuf.Tools package, with our caffe.proto)
# on the same files, and prints the median of N runs of each and the ratio per file. Prints numbers; asserts nothing.
#   bash tests/bench/compare-protoc.sh [--runs N] [--server PATH] [--generated] FILE...
# --server defaults to a NativeAOT publish in /tmp/prototxt-lsp-aot (built once), else the framework-dependent build.
# --generated adds the benchmark project's generated nets (1.9 MB realistic net, chains of 1k/10k/100k layers).
# Besides whole-process times it prints each tool's throughput net of its start-up (the median time on an empty
# file is subtracted): for protoc that is its text-format parse throughput.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
runs=15
server=""
generated=0
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    --generated) generated=1; shift ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  corpus="$repo/../shared/corpus/KaimingHe__deep-residual-networks/prototxt"
  [ -d "$corpus" ] && files=("$corpus"/ResNet-50-deploy.prototxt "$corpus"/ResNet-152-deploy.prototxt) || files=("$repo"/examples/nets/*.prototxt)
fi
if [ "$generated" = 1 ]; then
  gen=/tmp/prototxt-lsp-generated
  if [ ! -f "$gen/generated-1.9MB.prototxt" ]; then
    dotnet run -c Release --project "$repo/tests/PrototxtLsp.Benchmarks" -- generate "$gen" >/dev/null
  fi
  files+=("$gen/generated-1.9MB.prototxt" "$gen/chain-1k.prototxt" "$gen/chain-10k.prototxt" "$gen/chain-100k.prototxt")
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

# Medians of $runs whole-process runs of `check FILE` and of protoc reading FILE on stdin, taken in turns (check,
# protoc, check, …) so that a change in machine load affects both alike; wall clock from bash's $EPOCHREALTIME
# (no `date` process in the timed span). Prints "CHECK_MS PROTOC_MS".
pair_ms() {
  local f="$1" a=() b=() i t0 t1
  for ((i = 0; i < runs; i++)); do
    t0=$EPOCHREALTIME; "$server" check "$f" </dev/null >/dev/null 2>&1 || true; t1=$EPOCHREALTIME
    a+=($(((${t1/./} - ${t0/./}))))
    t0=$EPOCHREALTIME; "$protoc" --proto_path="$proto_dir" --encode=caffe.NetParameter caffe.proto <"$f" >/dev/null 2>&1 || true; t1=$EPOCHREALTIME
    b+=($(((${t1/./} - ${t0/./}))))
  done
  echo "$(median "${a[@]}") $(median "${b[@]}")"
}

median() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

echo "server: $server ($("$server" --version))"
echo "protoc: $protoc ($("$protoc" --version))"
echo "runs per measurement: $runs of each, in turns (median, whole process, wall clock); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
empty=$(mktemp --suffix=.prototxt)
read -r ours0 theirs0 <<<"$(pair_ms "$empty")"
echo "start-up (empty file): check $ours0 ms, protoc $theirs0 ms"
printf '%-28s %8s %11s %12s %7s %13s %14s\n' file KB "check (ms)" "protoc (ms)" ratio "check MB/s" "protoc MB/s"
for f in "${files[@]}"; do
  read -r ours theirs <<<"$(pair_ms "$f")"
  bytes=$(stat -c %s "$f")
  printf '%-28s %8s %11s %12s %7s %13s %14s\n' "$(basename "$f")" "$((bytes / 1024))" "$ours" "$theirs" \
    "$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')" \
    "$(awk -v t="$ours" -v z="$ours0" -v n="$bytes" 'BEGIN {d = t - z; if (d <= 0.05) print "-"; else printf "%.1f", n / 1048576 / (d / 1000)}')" \
    "$(awk -v t="$theirs" -v z="$theirs0" -v n="$bytes" 'BEGIN {d = t - z; if (d <= 0.05) print "-"; else printf "%.1f", n / 1048576 / (d / 1000)}')"
done
rm -f "$empty"
echo "ratio = check / protoc, whole process (below 1: prototxt-lsp is faster while doing parse + schema + graph + shapes)"
echo "MB/s = file size / (time - start-up time): check does the full analysis, protoc only parses and encodes"
