#!/usr/bin/env bash
# Runs every test and ends with the line "N passed, N failed, N skipped".
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
if [ "$skipped" -gt 0 ]; then echo; echo "Skipped tests:"; grep -E '^\s+Skipped ' "$log" | sed 's/^ */  /'; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
