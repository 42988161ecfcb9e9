#!/usr/bin/env bash
# Runs every test and ends with the line "N passed, N failed, N skipped":
#   1. the .NET tests (xunit: Core, CLI, the language server over stdio, headless Neovim),
#   2. the TextMate grammar tests (grammars/run-tests.sh), when Node is available,
#   3. the VS Code client's unit tests (client/run-tests.sh), when Node is available,
#   4. only with PROTOTXT_E2E=1: the end-to-end test in a real VS Code (code-server + Chromium): packages the .vsix
#      (client/scripts/package.sh; a packaging failure counts as one failed test), then runs
#      client/scripts/e2e-code-server.sh (which skips when its prerequisites cannot be installed).
# Tests that need ../shared (the corpus and facts) skip with a message when it is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log" "$log".*' EXIT
dotnet build PrototxtLsp.sln -nologo -v quiet 2>&1 | tee "$log.build"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then echo "0 passed, 1 failed, 0 skipped"; exit 1; fi
dotnet test PrototxtLsp.sln --no-build -nologo --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The console logger ends each test assembly with "Total tests: N" and indented "Passed: N", "Failed: N",
# "Skipped: N" lines; sum them over assemblies.
count() { grep -E "^ +$1: +[0-9]+$" "$log" | awk '{s += $2} END {print s + 0}'; }
passed=$(count Passed); failed=$(count Failed); skipped=$(count Skipped)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
skipped_names=$(grep -E '^\s+Skipped ' "$log" | sed 's/^ */  /')

# Node suites print "<NAME>-RESULT passed=N failed=N skipped=N" as their last line.
# run_suite NAME COMMAND...: runs it (output shown as it comes), adds its counts.
run_suite() {
  local suite="$1" out="$log.$1" rc line p f s
  shift
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  line=$(grep -E -- "-RESULT passed=[0-9]+ failed=[0-9]+ skipped=[0-9]+" "$out" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); echo "$suite tests printed no result line (exit $rc)"; return; fi
  p=$(echo "$line" | sed -E 's/.*passed=([0-9]+).*/\1/'); f=$(echo "$line" | sed -E 's/.*failed=([0-9]+).*/\1/'); s=$(echo "$line" | sed -E 's/.*skipped=([0-9]+).*/\1/')
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$s" -gt 0 ]; then skipped_names+=$'\n'"  $suite: $s skipped (see its output above)"; fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
}

for suite in grammars client; do
  script="$suite/run-tests.sh"
  [ -f "$script" ] || continue
  if ! command -v node >/dev/null; then
    echo "Skipping $suite tests: node is not installed."
    skipped=$((skipped + 1)); skipped_names+=$'\n'"  $suite (node missing)"; continue
  fi
  run_suite "$suite" bash "$script"
done

# The end-to-end test in a real VS Code, opt-in: it installs ~320 MB (cached in E2E_CACHE) and takes about a minute.
if [ "${PROTOTXT_E2E:-0}" = 1 ]; then
  if ! command -v node >/dev/null; then
    echo "Skipping the e2e test: node is not installed."
    skipped=$((skipped + 1)); skipped_names+=$'\n'"  e2e (node missing)"
  elif ! bash client/scripts/package.sh; then
    echo "e2e: packaging the .vsix failed (bash client/scripts/package.sh)"
    failed=$((failed + 1))
  else
    run_suite e2e bash client/scripts/e2e-code-server.sh
  fi
fi

if [ "$skipped" -gt 0 ]; then echo; echo "Skipped tests:"; echo "$skipped_names"; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
