"""Running a part of the benchmark in a fresh Python process and reading its figures.

A child starts without the benchmark's memory and objects, so what it reports
(peak memory, garbage-collection pauses) is its own. It prints its figures as
JSON on its last line of output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_module(module: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """``python -m module args...`` from the repository root; its last line, parsed."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "PYTHONPATH": path},
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"python -m {module} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures
