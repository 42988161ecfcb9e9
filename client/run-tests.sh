#!/usr/bin/env bash
# Installs the client's dependencies if needed, builds (typecheck + bundle), runs the unit tests with node:test.
# Last line: CLIENT-RESULT passed=N failed=N skipped=N. Exit 0 iff failed=0.
set -uo pipefail
cd "$(dirname "$0")"

result() {
  echo "CLIENT-RESULT passed=$1 failed=$2 skipped=$3"
  [ "$2" = 0 ]
  exit $?
}

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "run-tests: npm ci"
  npm ci --no-audit --no-fund || { echo "run-tests: npm ci failed"; result 0 1 0; }
fi

# The integration tests drive the built server; build it when it is missing and dotnet is here.
dll=../src/PrototxtLsp.Server/bin/Release/net10.0/prototxt-lsp.dll
if [ -z "${PROTOTXT_LSP_PATH:-}" ] && [ ! -f "$dll" ] && command -v dotnet >/dev/null; then
  echo "run-tests: building the server"
  dotnet build ../src/PrototxtLsp.Server -c Release -nologo -v quiet || echo "run-tests: server build failed; its tests will be skipped"
fi

node scripts/build.mjs --tests || { echo "run-tests: build failed"; result 0 1 0; }

tap=out-test/results.tap
node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination="$tap" out-test/
status=$?
count() { sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$tap" | tail -1; }
pass=$(count pass); fail=$(count fail); skip=$(count skipped); todo=$(count todo); cancelled=$(count cancelled)
pass=${pass:-0}; fail=${fail:-0}; skip=${skip:-0}; todo=${todo:-0}; cancelled=${cancelled:-0}
fail=$((fail + cancelled))
if [ "$status" -ne 0 ] && [ "$fail" = 0 ]; then fail=1; fi
result "$pass" "$fail" "$((skip + todo))"
