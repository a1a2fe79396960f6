#!/usr/bin/env bash
# The whole test suite: build the CLI (end-to-end tests run bin/f2b-scan), then
# every test/**/*.test.ts through node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
exec node --import tsx --test --test-reporter=spec "${files[@]}"
