#!/usr/bin/env bash
# Makes sure what the test suite needs outside npm is here: PostgreSQL running, xmlsec1, the
# AWS CLI (Debian's awscli), Chromium (the admin console's browser tests), slapd and ldap-utils (the LDAP source tests), HAProxy (the cluster fault suite) installed.
# Safe to run repeatedly; installs only what is missing.
set -euo pipefail

need=()
command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
[ -x /usr/bin/aws ] || need+=(awscli)
command -v pg_isready >/dev/null 2>&1 || need+=(postgresql-client)
[ -x "${ROLEBRIDGE_TEST_CHROMIUM:-/usr/bin/chromium}" ] || need+=(chromium)
# The LDAP source tests start their own slapd (never the package's service) and change it with ldapmodify.
[ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapmodify >/dev/null 2>&1 || need+=(ldap-utils)
# The cluster harness (npm run cluster, the fault suite, bench/cluster) starts its own HAProxy, never the service.
[ -x /usr/sbin/haproxy ] || need+=(haproxy)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${need[*]} (install them with apt-get, or run this as root)" >&2
    exit 1
  fi
  echo "installing system packages: ${need[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if [ -d /etc/postgresql ]; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL is not reachable on 127.0.0.1:5432 (set TEST_DATABASE_URL to point elsewhere)" >&2; exit 1; }
