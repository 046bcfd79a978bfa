#!/usr/bin/env bash
# The lint step, the same for `make lint` and `make test` (and so for CI, which runs make test):
# ruff's lint rules and formatting on all Python sources, mypy on the package. Fails on the first
# problem.
set -euo pipefail
cd "$(dirname "$0")/.."

.venv/bin/ruff check runicorn tests bench scripts
.venv/bin/ruff format --check runicorn tests bench scripts
.venv/bin/mypy runicorn
