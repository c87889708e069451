#!/usr/bin/env bash
# `npm test`: the whole suite. Installs whatever is missing (idempotent, quick when all is
# there), builds the CLI, then runs vitest: unit tests of checks and parsers over literal data,
# and integration tests that start Redis, RabbitMQ, Kafka and PostgreSQL natively (test/global-setup.ts)
# and drive the real `brokerlab` binary against them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install.sh
# Starters, references and wrong solutions are type-checked too: a lab that does not compile
# would fail for the wrong reason.
npm run -s typecheck
mkdir -p .brokerlab
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.brokerlab/test-results.json "$@" || status=$?
# The failed tests, a line each, then one plain closing line that any CI reads: "N passed, N failed".
node scripts/test-summary.mjs || true
exit "$status"
