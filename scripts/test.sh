#!/usr/bin/env bash
# The project's test command: lint, format check, type check, system test dependencies,
# then the test suite.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh tests/backtest -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
"$PY" -m ruff check quantlab tests benchmarks examples
"$PY" -m ruff format --check quantlab tests benchmarks examples
"$PY" -m mypy
# system packages some tests drive for real (PostgreSQL for multi-user tracking, Chromium
# for the tearsheet): installed from Debian's packages when missing, a no-op otherwise
for setup in .ci/setup-*.sh; do bash "$setup"; done
"$PY" -m pytest "$@"
