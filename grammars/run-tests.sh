#!/usr/bin/env bash
# Runs the grammar's tests: every tests/*.test.prototxt (vscode-tmgrammar-test, one test per file), the
# language-configuration check (one test) and the corpus smoke test (one test, skipped without a corpus).
# Last line: GRAMMAR-RESULT passed=N failed=N skipped=N. Exit code 0 iff failed=0.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

passed=0
failed=0
skipped=0
shopt -s nullglob
unit_tests=(tests/*.test.prototxt)
shopt -u nullglob

result() {
  echo "GRAMMAR-RESULT passed=$passed failed=$failed skipped=$skipped"
  [ "$failed" -eq 0 ]
  exit $?
}

# --- dependencies -------------------------------------------------------------------------------------------
if [ ! -x node_modules/.bin/vscode-tmgrammar-test ] || [ ! -d node_modules/vscode-textmate ] \
  || [ ! -d node_modules/vscode-oniguruma ]; then
  if [ -f package-lock.json ]; then install=(npm ci); else install=(npm install); fi
  echo "== installing dependencies: ${install[*]}"
  if ! "${install[@]}" --no-audit --no-fund --loglevel=error; then
    echo "error: '${install[*]}' failed; no test could run"
    failed=$(( ${#unit_tests[@]} + 2 ))
    result
  fi
fi

# --- grammar unit tests ---------------------------------------------------------------------------------------
echo "== grammar tests (vscode-tmgrammar-test, ${#unit_tests[@]} files)"
if [ ${#unit_tests[@]} -eq 0 ]; then
  echo "error: no tests/*.test.prototxt found"
  failed=$((failed + 1))
else
  # The timeout guards against a malformed assertion line, on which the test parser's regex can run forever.
  unit_out=$(FORCE_COLOR=0 timeout 120 node_modules/.bin/vscode-tmgrammar-test \
    -g prototxt.tmLanguage.json "${unit_tests[@]}" 2>&1)
  unit_rc=$?
  unit_out=$(printf '%s\n' "$unit_out" | sed 's/\x1b\[[0-9;]*m//g')
  printf '%s\n' "$unit_out"
  [ $unit_rc -eq 124 ] && echo "error: vscode-tmgrammar-test timed out"
  for t in "${unit_tests[@]}"; do
    # A file passes only when the runner says so explicitly ("run successfuly" is the tool's spelling).
    if printf '%s\n' "$unit_out" | grep -qF "$t run successfuly."; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done
  if [ $unit_rc -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "error: vscode-tmgrammar-test exited with $unit_rc although every file passed"
    failed=$((failed + 1))
  fi
fi

# --- language configuration -----------------------------------------------------------------------------------
echo "== language-configuration.json"
if timeout 60 node tests/language-configuration.mjs; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
fi

# --- corpus smoke test ---------------------------------------------------------------------------------------
echo "== corpus smoke test"
corpus_out=$(timeout 300 node tests/corpus.mjs 2>&1)
corpus_rc=$?
printf '%s\n' "$corpus_out"
if [ $corpus_rc -eq 0 ] && printf '%s\n' "$corpus_out" | grep -q '^corpus: SKIPPED'; then
  skipped=$((skipped + 1))
elif [ $corpus_rc -eq 0 ] && printf '%s\n' "$corpus_out" | grep -q '^corpus: PASSED'; then
  passed=$((passed + 1))
else
  [ $corpus_rc -eq 124 ] && echo "error: the corpus smoke test timed out"
  failed=$((failed + 1))
fi

result
