#!/usr/bin/env bash
# Builds everything (Release) and runs `prototxt-lsp check` on the bundled examples.
set -euo pipefail
cd "$(dirname "$0")"
dotnet build PrototxtLsp.sln -c Release -nologo -v quiet
echo
echo "== prototxt-lsp check examples"
status=0
dotnet src/PrototxtLsp.Server/bin/Release/net10.0/prototxt-lsp.dll check examples || status=$?
# examples/errors holds files with deliberate mistakes, so exit code 1 (errors found) is the expected result.
if [ "$status" -gt 1 ]; then echo "check failed to run (exit $status)" >&2; exit "$status"; fi
echo "(exit code $status: 0 = no errors, 1 = errors found, as expected for examples/errors)"
