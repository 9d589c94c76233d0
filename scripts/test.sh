#!/usr/bin/env bash
# The whole test suite: installs what the tests need (system tools, Docker engine, local base image), then runs vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-env.sh
npx tsc -p tsconfig.build.json
exec npx vitest run "$@"
