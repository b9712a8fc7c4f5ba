#!/usr/bin/env bash
# The project's test command: lint, format check, type check, then the test suite.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh tests/backtest -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
"$PY" -m ruff check quantlab tests benchmarks examples
"$PY" -m ruff format --check quantlab tests benchmarks examples
"$PY" -m mypy
"$PY" -m pytest "$@"
