#!/usr/bin/env bash
# Smoke test: the AWS CLI, unchanged but for --endpoint-url, against `rolebridge sandbox` with the demo fixture.
# Needs: node 20+, a built dist/ (npm run build), and `aws` on PATH (CI: apt-get install -y awscli).
# Prints one line per check and a final "N passed, N failed" line; exits non-zero if any check failed.
set -uo pipefail

cd "$(dirname "$0")/.."
# AWS_CLI names the binary to test (CI passes Debian's /usr/bin/aws); otherwise the one on PATH.
aws_cli="${AWS_CLI:-aws}"
if ! command -v "$aws_cli" >/dev/null 2>&1; then
  echo "aws-cli-smoke: the AWS CLI ($aws_cli) is not installed (apt-get install -y awscli)" >&2
  exit 2
fi
echo "using $("$aws_cli" --version 2>&1 | head -n1)"
if [ ! -f dist/cli/index.js ]; then
  echo "aws-cli-smoke: dist/ is missing; run npm run build first" >&2
  exit 2
fi

work="$(mktemp -d)"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
url="http://127.0.0.1:${port}"
node bin/rolebridge.js sandbox --port "$port" --data-dir "$work/data" --fixture demo --log-level warn >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
cleanup() {
  kill "$sandbox_pid" 2>/dev/null
  wait "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  if node -e "fetch('${url}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then break; fi
  if ! kill -0 "$sandbox_pid" 2>/dev/null; then
    echo "aws-cli-smoke: the sandbox exited early:" >&2
    cat "$work/sandbox.log" >&2
    exit 1
  fi
  sleep 0.2
done

# Only the demo credentials and the endpoint: no profile, config file or instance metadata may leak in.
export AWS_ACCESS_KEY_ID=AKIAROLEBRIDGEDEMO01
export AWS_SECRET_ACCESS_KEY='rbDemoSecret/LegacyApiMode/DoNotUse+0001'
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_CONFIG_FILE="$work/no-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL

passed=0
failed=0
# check <name> <expected substring> <aws args...>; whitespace (tabs, one line per page) compares as one space.
check() {
  local name="$1" expected="$2"
  shift 2
  local output
  output="$("$aws_cli" --endpoint-url "$url" "$@" 2>&1 | tr -s '[:space:]' ' ')"
  if [[ "$output" == *"$expected"* ]]; then
    echo "ok   - $name"
    passed=$((passed + 1))
  else
    echo "FAIL - $name: expected \"$expected\" in: $output"
    failed=$((failed + 1))
  fi
}

check "iam list-roles (all pages)" "Admin Billing.Viewer ReadOnly Tier1_Support" \
  iam list-roles --page-size 2 --query 'Roles[].RoleName' --output text
check "sts get-caller-identity" "arn:aws:iam::111122223333:user/service/okta-api-user" \
  sts get-caller-identity --query Arn --output text
check "sts assume-role" "arn:aws:sts::222233334444:assumed-role/Okta-Idp-cross-account-role/smoke" \
  sts assume-role --role-arn arn:aws:iam::222233334444:role/Okta-Idp-cross-account-role --role-session-name smoke \
  --query AssumedRoleUser.Arn --output text
check "organizations list-accounts" "111122223333 222233334444 333344445555 444455556666 555566667777" \
  organizations list-accounts --query 'Accounts[].Id' --output text
AWS_SECRET_ACCESS_KEY=wrong-secret-wrong-secret-wrong-secret-00 check "wrong secret is refused" "SignatureDoesNotMatch" \
  sts get-caller-identity

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
