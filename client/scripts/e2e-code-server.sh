#!/usr/bin/env bash
# Opt-in end-to-end test (tests/run.sh runs it when PROTOTXT_E2E=1; it installs ~320 MB once): installs the packaged
# .vsix into code-server 4.100.3 (the last one on Node 20), opens a workspace in Debian's Chromium through
# playwright-core and runs test-e2e/vscode.e2e.js on a real net with an injected error (the corpus's
# examples/mnist/lenet_train_test.prototxt from ../shared, else examples/nets/lenet_deploy.prototxt): squiggle, hovers,
# F12, the Outline, a quick fix, the layer graph (nodes, click → cursor), the status bar, the summary, the upgrade
# command and a live setting.
#   bash client/scripts/package.sh && bash client/scripts/e2e-code-server.sh [path/to.vsix]
# Last line: E2E-RESULT passed=N failed=N skipped=N; exit non-zero iff failed > 0. When the prerequisites cannot be
# installed (apt packages without root, no network for npm) it prints the reason and "passed=0 failed=0 skipped=1".
# Environment: E2E_CACHE (code-server and playwright-core, default ~/.cache/prototxt-lsp-e2e), E2E_ARTIFACTS
# (screenshots and logs, default tests/artifacts/e2e), PROTOTXT_SHARED (default ../shared beside the repository).
set -uo pipefail
client="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$client/.." && pwd)"
cache="${E2E_CACHE:-$HOME/.cache/prototxt-lsp-e2e}"
artifacts="${E2E_ARTIFACTS:-$repo/tests/artifacts/e2e}"
shared="${PROTOTXT_SHARED:-$repo/../shared}"
cs="$cache/code-server"
cs_version=4.100.3
pw_version=1.65.1

result() { echo "E2E-RESULT passed=$1 failed=$2 skipped=$3"; }
skip() { echo "e2e: skipped: $*"; result 0 0 1; exit 0; }
fail() { echo "e2e: FAILED: $*"; result 0 1 0; exit 1; }

command -v node >/dev/null || skip "node is not installed"
version="$(node -p "require('$client/package.json').version")"
vsix="${1:-$client/prototxt-lsp-$version.vsix}"
[ -f "$vsix" ] || fail "$vsix missing: run bash client/scripts/package.sh first"
mkdir -p "$cache" "$artifacts" || skip "cannot create $cache or $artifacts"
rm -f "$artifacts"/*.png "$artifacts"/*.log
log="$artifacts/install.log"
: >"$log"

# --- apt packages: Chromium always; the build tools only while code-server still has to be built.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
need=()
if command -v dpkg-query >/dev/null; then
  installed chromium || need+=(chromium)
  if [ ! -f "$cs/.installed" ]; then
    for p in ripgrep build-essential python3 libkrb5-dev; do installed "$p" || need+=("$p"); done
  fi
else
  command -v chromium >/dev/null || need+=(chromium)
  if [ ! -f "$cs/.installed" ]; then
    command -v rg >/dev/null || need+=(ripgrep)
    command -v g++ >/dev/null || need+=(build-essential)
    command -v python3 >/dev/null || need+=(python3)
  fi
fi
if [ "${#need[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || skip "needs the packages ${need[*]} and there is no apt-get"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      skip "needs the apt packages ${need[*]}; not root and no passwordless sudo"
    fi
  fi
  echo "e2e: apt-get install ${need[*]}"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"; } >>"$log" 2>&1 \
    || { tail -n 5 "$log"; skip "apt-get could not install ${need[*]} (no network?)"; }
fi
chromium_bin="${E2E_CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
[ -x "$chromium_bin" ] || skip "no chromium executable"
export E2E_CHROMIUM="$chromium_bin"

# --- playwright-core (drives Chromium; no browser download).
if [ ! -d "$cache/pw/node_modules/playwright-core" ]; then
  echo "e2e: npm install playwright-core@$pw_version"
  rm -rf "$cache/pw.tmp" && mkdir -p "$cache/pw.tmp"
  if (cd "$cache/pw.tmp" && npm init -y && npm install --no-audit --no-fund "playwright-core@$pw_version") >>"$log" 2>&1; then
    rm -rf "$cache/pw" && mv "$cache/pw.tmp" "$cache/pw"
  else
    tail -n 5 "$log"; rm -rf "$cache/pw.tmp"
    skip "npm could not install playwright-core@$pw_version (no access to the npm registry?)"
  fi
fi

# --- code-server from npm, built here (its postinstall downloads from hosts that are not reachable; see
# ../shared/notes/recipes.md). About 40 s and 314 MB, once per cache.
if [ ! -f "$cs/.installed" ]; then
  echo "e2e: installing code-server $cs_version into $cs (once)"
  rm -rf "$cs" && mkdir -p "$cs"
  if ! (
    set -e
    cd "$cs"
    export npm_config_nodedir=/usr
    npm pack "code-server@$cs_version" && tar xzf "code-server-$cs_version.tgz"
    cd package
    npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild argon2 --build-from-source
    cd lib/vscode
    npm install --omit=dev --ignore-scripts --no-audit --no-fund
    npm rebuild @parcel/watcher @vscode/spdlog kerberos native-watchdog @vscode/deviceid
    npm rebuild node-pty || [ -f node_modules/node-pty/build/Release/pty.node ]
    mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    ln -sfn node_modules node_modules.asar
    ln -sf code-linux.sh bin/remote-cli/code-server
    ln -sf browser-linux.sh bin/helpers/browser.sh
    cd extensions && npm install --omit=dev --ignore-scripts --no-audit --no-fund && node ./postinstall.mjs
  ) >>"$log" 2>&1; then
    tail -n 15 "$log"; rm -rf "$cs"
    skip "could not install code-server $cs_version (no access to the npm registry, or a native module failed to build: see $log)"
  fi
  touch "$cs/.installed"
fi

# --- a fresh profile and workspace per run.
run="$(mktemp -d)"
pid=""
cleanup() {
  # code-server and everything it started (extension host, language server) share its process group.
  if [ -n "$pid" ]; then kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$run"
}
trap cleanup EXIT
export HOME="$run/home" XDG_CONFIG_HOME="$run/home/.config" XDG_DATA_HOME="$run/home/.local/share"
mkdir -p "$HOME" "$run/ext" "$run/data/User" "$run/ws"
echo '{"workbench.startupEditor":"none","telemetry.telemetryLevel":"off","workbench.tips.enabled":false}' >"$run/data/User/settings.json"

# The net: a real one from the corpus when ../shared is there, else the repository's own LeNet.
net="$shared/corpus/bvlc/examples/mnist/lenet_train_test.prototxt"
if [ ! -f "$net" ]; then
  echo "e2e: $net not found (no ../shared): using examples/nets/lenet_deploy.prototxt"
  net="$repo/examples/nets/lenet_deploy.prototxt"
fi
# The injected error: the first `bottom:` becomes `bottm:` (an unknown field, with a "Change to 'bottom'" fix).
sed '0,/bottom:/s//bottm:/' "$net" >"$run/ws/$(basename "$net")"
grep -q 'bottm:' "$run/ws/$(basename "$net")" || fail "could not inject the error into $net (no bottom: field)"
cp "$repo/examples/nets/small_resnet_block_train_test.prototxt" "$client/test-e2e/old_v1.prototxt" "$run/ws/"

entry="$cs/package/out/node/entry.js"
node "$entry" --extensions-dir "$run/ext" --user-data-dir "$run/data" --install-extension "$vsix" >"$artifacts/install-extension.log" 2>&1 \
  || { tail -n 10 "$artifacts/install-extension.log"; fail "code-server --install-extension $vsix failed"; }
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
setsid node "$entry" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check --disable-workspace-trust \
  --extensions-dir "$run/ext" --user-data-dir "$run/data" "$run/ws" >"$artifacts/code-server.log" 2>&1 &
pid=$!
node -e '(async () => {
  for (let i = 0; i < 120; i++) {
    try { if ((await fetch(process.argv[1])).ok) process.exit(0); } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  process.exit(1);
})()' "http://127.0.0.1:$port/healthz" || { tail -n 20 "$artifacts/code-server.log"; fail "code-server did not answer on port $port within 60 s"; }

echo "e2e: code-server $cs_version on 127.0.0.1:$port, $(basename "$vsix"), $("$chromium_bin" --version 2>/dev/null | head -1)"
timeout 480 node "$client/test-e2e/vscode.e2e.js" "$port" "$run/ws" "$artifacts" "$cache/pw" "$(basename "$net")" 2>&1 \
  | tee "$artifacts/e2e.log" | grep -v '^E2E-RESULT '
rc=${PIPESTATUS[0]}
line=$(grep -E '^E2E-RESULT passed=[0-9]+ failed=[0-9]+ skipped=[0-9]+$' "$artifacts/e2e.log" | tail -1)
echo "e2e: screenshots and logs in $artifacts"
if [ -z "$line" ]; then
  echo "e2e: FAILED: the scenario printed no result line (exit $rc)"
  result 0 1 0
  exit 1
fi
failed=$(echo "$line" | sed -E 's/.*failed=([0-9]+).*/\1/')
if [ "$failed" -eq 0 ] && [ "$rc" -ne 0 ]; then
  echo "e2e: FAILED: the scenario exited with $rc"
  echo "$line" | sed -E 's/failed=0/failed=1/'
  exit 1
fi
echo "$line"
[ "$failed" -eq 0 ]
