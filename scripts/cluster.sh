#!/usr/bin/env bash
# `npm run cluster -- --nodes 3 --port 8080`: builds dist/ when src/ changed since, then runs the harness in
# this process (exec), so SIGINT/SIGTERM sent to npm's child reach it and it stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f dist/cluster/main.js ] || [ -n "$(find src -name '*.ts' -newer dist/cluster/main.js -print -quit)" ]; then
  npx tsc -p tsconfig.build.json
fi
exec node dist/cluster/main.js "$@"
