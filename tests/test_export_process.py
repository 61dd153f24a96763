"""An export of every case runs in a process that takes only CPU time the bot leaves, on
one CPU, so that families' answers keep their speed while it runs (measured by
``bench.scale``; here only that the process really steps aside)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

STEP_ASIDE = (
    "import os; from bot.exports.process import _step_aside; _step_aside(); "
    "print(len(os.sched_getaffinity(0)), os.sched_getscheduler(0) == os.SCHED_IDLE)"
)


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux scheduling only")
def test_the_export_process_runs_idle_scheduled_on_one_cpu() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STEP_ASIDE], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["1", "True"]
