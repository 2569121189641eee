#!/usr/bin/env bash
# `npm run test:faults`: the cluster fault suite alone (test/faults: three nodes behind HAProxy on a throwaway
# PostgreSQL database, under load, with a node killed, the database's connections cut, a node stopped, the
# outbox drained by all three). `npm test` runs the same files in its vitest run.
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-services.sh || { echo "0 passed, 1 failed"; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund || { echo "0 passed, 1 failed"; exit 1; }
# The nodes run bin/rolebridge.js, which runs dist/.
npx tsc -p tsconfig.build.json || { echo "0 passed, 1 failed"; exit 1; }

report=$(mktemp)
npx vitest run test/faults --reporter=default --reporter=json --outputFile="$report"
rc=$?
read -r passed failed < <(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(r.numPassedTests, r.numFailedTests);
' "$report" 2>/dev/null || echo "0 1")
rm -f "$report"
# A run that failed outside any test (a crashed fork, an unhandled error) is a failure too.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
