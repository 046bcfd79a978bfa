"""A training process that never uses an integration pays nothing for it: importing runicorn, or
the integrations package, imports no framework."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FRAMEWORKS = ("torch", "lightning", "pytorch_lightning", "transformers", "keras", "tensorflow", "jax")


def test_importing_runicorn_and_its_integrations_package_loads_no_framework() -> None:
    code = (
        "import sys, runicorn, runicorn.integrations\n"
        f"print(sorted(m for m in {FRAMEWORKS!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "[]"
