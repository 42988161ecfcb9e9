#!/usr/bin/env bash
# Runs every test and ends with the line "N passed, N failed, N skipped":
#   1. the .NET tests (xunit: Core, CLI, the language server over stdio, headless Neovim),
#   2. the TextMate grammar tests (grammars/run-tests.sh), when Node is available,
#   3. the VS Code client's unit tests (client/run-tests.sh), when Node is available.
# Tests that need ../shared (the corpus and facts) skip with a message when it is absent.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
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
for suite in grammars client; do
  script="$suite/run-tests.sh"
  [ -f "$script" ] || continue
  if ! command -v node >/dev/null; then
    echo "Skipping $suite tests: node is not installed."
    skipped=$((skipped + 1)); skipped_names+=$'\n'"  $suite (node missing)"; continue
  fi
  out=$(bash "$script" 2>&1); rc=$?
  echo "$out"
  line=$(echo "$out" | grep -E -- "-RESULT passed=[0-9]+ failed=[0-9]+ skipped=[0-9]+" | tail -1)
  if [ -z "$line" ]; then failed=$((failed + 1)); echo "$suite tests printed no result line (exit $rc)"; continue; fi
  p=$(echo "$line" | sed -E 's/.*passed=([0-9]+).*/\1/'); f=$(echo "$line" | sed -E 's/.*failed=([0-9]+).*/\1/'); s=$(echo "$line" | sed -E 's/.*skipped=([0-9]+).*/\1/')
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
done

if [ "$skipped" -gt 0 ]; then echo; echo "Skipped tests:"; echo "$skipped_names"; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
