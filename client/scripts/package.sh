#!/usr/bin/env bash
# Builds client/prototxt-lsp-<version>.vsix with the server inside:
#   1. dotnet publish the server for linux-x64: NativeAOT if the toolchain works, else framework-dependent;
#   2. check that it answers --version with the extension's version and passes the client's integration tests
#      (test/server.integration.test.ts: diagnostics, layer graph, settings, code actions, CLI verbs) — a NativeAOT
#      build that fails them is replaced by the framework-dependent one; copy it to client/server/linux-x64/;
#   3. production build of the extension (typecheck, bundle, grammar copied from ../grammars, required);
#   4. @vscode/vsce package --no-dependencies (offline, everything is bundled).
# Environment: RID (default linux-x64), AOT=0 to skip the NativeAOT attempt.
set -euo pipefail
client="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$client/.." && pwd)"
rid="${RID:-linux-x64}"
cd "$client"
version="$(node -p 'require("./package.json").version')"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

[ -d node_modules ] || npm ci --no-audit --no-fund

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
publish_log="$work/publish.log"
out="$work/publish"
kind=""

# The integration tests run against whichever build is being checked (PROTOTXT_LSP_PATH).
node scripts/build.mjs --tests --no-typecheck >/dev/null

# Publishes into $out; $1 = aot|fd. Returns non-zero when the publish fails.
publish() {
  rm -rf "$out"
  if [ "$1" = aot ]; then
    # The server publishes for NativeAOT with no trim/AOT warnings (warnings are errors in this repo); the
    # integration tests below still run against the binary before it is packaged.
    dotnet publish "$repo/src/PrototxtLsp.Server" -c Release -r "$rid" -p:PublishAot=true \
      -o "$out" -nologo >"$publish_log" 2>&1
  else
    dotnet publish "$repo/src/PrototxtLsp.Server" -c Release -r "$rid" --self-contained false -o "$out" -nologo >"$publish_log" 2>&1
  fi
}

# Checks the published server: its --version and the integration tests.
verify() {
  local exe="$out/prototxt-lsp" answer
  [ -x "$exe" ] || { echo "package: $exe missing after publish"; return 1; }
  answer="$("$exe" --version 2>&1)" || { echo "package: $exe --version failed: $answer"; return 1; }
  [ "$answer" = "prototxt-lsp $version" ] || { echo "package: the server says '$answer', the extension is $version: bump one of them"; exit 1; }
  PROTOTXT_LSP_PATH="$exe" node --test out-test/server.integration.test.js >"$work/smoke.tap" 2>&1 \
    || { grep -E "^not ok|^ *not ok|Error" "$work/smoke.tap" | head -20; echo "package: the integration tests failed on this build"; return 1; }
}

if [ "${AOT:-1}" != 0 ]; then
  # NativeAOT needs a C toolchain (clang, or gcc which the ILCompiler falls back to) and zlib.
  if command -v clang >/dev/null || command -v gcc >/dev/null; then
    echo "package: dotnet publish -r $rid -p:PublishAot=true"
    if publish aot; then
      if verify; then kind="NativeAOT"; else echo "package: falling back to framework-dependent"; fi
    else
      echo "package: NativeAOT publish failed (last lines below); falling back to framework-dependent"
      tail -n 15 "$publish_log" | sed 's/^/    /'
    fi
  else
    echo "package: neither clang nor gcc: skipping NativeAOT"
  fi
fi
if [ -z "$kind" ]; then
  echo "package: dotnet publish -r $rid --self-contained false"
  publish fd || { tail -n 30 "$publish_log"; echo "package: dotnet publish failed"; exit 1; }
  verify || exit 1
  kind="framework-dependent (needs the .NET 10 runtime)"
fi
start_ns=$(date +%s%N)
"$out/prototxt-lsp" --version >/dev/null
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

rm -rf "$client/server"
mkdir -p "$client/server/$rid"
# Everything the publish produced but debug symbols (the README beside the server is the target of diagnostic links).
(cd "$out" && find . -type f ! -name '*.pdb' ! -name '*.dbg' -print0 | xargs -0 -I{} cp --parents {} "$client/server/$rid/")
size=$(du -sh "$client/server/$rid" | cut -f1)
echo "package: server $kind, $size in server/$rid, --version in ${elapsed_ms} ms, integration tests passed"

node scripts/build.mjs --production --require-grammar

vsix="$client/prototxt-lsp-$version.vsix"
rm -f "$vsix"
npx --yes @vscode/vsce@3.9.2 package --no-dependencies --allow-missing-repository --skip-license --target "$rid" -o "$vsix"
echo "package: $(du -h "$vsix" | cut -f1) $vsix"
