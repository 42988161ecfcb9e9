#!/usr/bin/env bash
# Opt-in end-to-end test (not part of run-tests.sh: it installs ~320 MB): installs the packaged .vsix into
# code-server 4.100.3 (the last one on Node 20), opens a workspace in Debian's Chromium through playwright-core and
# checks diagnostics, the status bar, the layer graph (drawn, worker layout, click → editor), the summary and the
# upgrade command. Screenshots go to $E2E_CACHE/shots. Needs root for apt (chromium, build tools for native modules).
#   bash client/scripts/e2e-code-server.sh [path/to.vsix]
set -euo pipefail
client="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$client/.." && pwd)"
version="$(node -p "require('$client/package.json').version")"
vsix="${1:-$client/prototxt-lsp-$version.vsix}"
cache="${E2E_CACHE:-$HOME/.cache/prototxt-lsp-e2e}"
cs="$cache/code-server"
[ -f "$vsix" ] || { echo "e2e: $vsix missing: run bash client/scripts/package.sh first"; exit 2; }
mkdir -p "$cache"

if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! command -v g++ >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium ripgrep build-essential python3 libkrb5-dev >/dev/null
fi
if [ ! -d "$cache/pw/node_modules/playwright-core" ]; then
  mkdir -p "$cache/pw" && (cd "$cache/pw" && npm init -y >/dev/null && npm install --no-audit --no-fund playwright-core@1.65.1 >/dev/null)
fi
if [ ! -f "$cs/.installed" ]; then
  echo "e2e: installing code-server 4.100.3 into $cs (once)"
  rm -rf "$cs" && mkdir -p "$cs"
  (
    cd "$cs"
    export npm_config_nodedir=/usr
    npm pack code-server@4.100.3 >/dev/null && tar xzf code-server-4.100.3.tgz
    cd package
    npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null && npm rebuild argon2 --build-from-source >/dev/null
    cd lib/vscode
    npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null
    npm rebuild @parcel/watcher @vscode/spdlog kerberos native-watchdog @vscode/deviceid >/dev/null
    npm rebuild node-pty >/dev/null 2>&1 || [ -f node_modules/node-pty/build/Release/pty.node ]
    mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    ln -sfn node_modules node_modules.asar
    ln -sf code-linux.sh bin/remote-cli/code-server
    ln -sf browser-linux.sh bin/helpers/browser.sh
    cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null && node ./postinstall.mjs >/dev/null
  )
  touch "$cs/.installed"
fi

run="$(mktemp -d)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT
export HOME="$run/home" XDG_CONFIG_HOME="$run/home/.config" XDG_DATA_HOME="$run/home/.local/share"
mkdir -p "$HOME" "$run/ext" "$run/data/User" "$run/ws"
echo '{"workbench.startupEditor":"none","telemetry.telemetryLevel":"off"}' >"$run/data/User/settings.json"
cp "$repo/examples/nets/small_resnet_block_train_test.prototxt" "$repo/examples/errors/typos.prototxt" "$run/ws/"
cp "$client/test-e2e/old_v1.prototxt" "$run/ws/"
entry="$cs/package/out/node/entry.js"
node "$entry" --extensions-dir "$run/ext" --user-data-dir "$run/data" --install-extension "$vsix" >/dev/null
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
node "$entry" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check --disable-workspace-trust \
  --extensions-dir "$run/ext" --user-data-dir "$run/data" "$run/ws" >"$run/code-server.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do curl -fs "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
node "$client/test-e2e/vscode.e2e.js" "$port" "$run/ws" "$cache/shots" "$cache/pw"
