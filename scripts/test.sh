#!/usr/bin/env bash
# `npm test` (the README's test command): installs what the tests need, then runs every suite on SQLite and
# PostgreSQL, the lint and type checks, and the AWS CLI smoke test against the sandbox.
# Ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-services.sh || exit 1
[ -d node_modules ] || npm ci --no-audit --no-fund || exit 1

passed=0
failed=0
step() { # name, command...
  local name=$1; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}

step "lint (biome)" npx biome check .
step "typecheck (tsc)" npx tsc -p tsconfig.json --noEmit
npm run build || { echo "0 passed, 1 failed"; exit 1; }

report=$(mktemp)
npx vitest run --reporter=default --reporter=json --outputFile="$report"
vitest_rc=$?
read -r vp vf < <(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTestSuites && r.success === false && r.numFailedTests === 0 ? 1 : 0));
' "$report" 2>/dev/null || echo "0 1")
if [ "$vitest_rc" -ne 0 ] && [ "$vf" -eq 0 ]; then vf=1; fi
passed=$((passed + vp)); failed=$((failed + vf))

if [ -f scripts/aws-cli-smoke.sh ]; then
  step "AWS CLI smoke test against the sandbox" env AWS_CLI=/usr/bin/aws bash scripts/aws-cli-smoke.sh
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
