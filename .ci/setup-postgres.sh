#!/usr/bin/env bash
# Debian's PostgreSQL server binaries (initdb, pg_ctl) for the multi-user tracking test
# (tests/integration/test_postgres_multiuser.py). The test starts its own throw-away
# cluster in a temp dir as the `postgres` user, so no service is started or enabled here.
# Quick no-op when the binaries are already installed.
set -euo pipefail
if command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql
ls /usr/lib/postgresql/*/bin/pg_ctl
id postgres
