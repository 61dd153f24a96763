"""An export of every case runs in a process that steps aside for the bot, so that
families' answers keep their speed while it runs (measured by ``bench.scale``; here only
that the process really steps aside, as ``IZDEU_EXPORT_PRIORITY`` says)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.config import Config

STEP_ASIDE = (
    "import os, sys; from bot.exports.process import step_aside; step_aside(sys.argv[1]); "
    "print(len(os.sched_getaffinity(0)), os.sched_getscheduler(0) == os.SCHED_IDLE, os.nice(0))"
)


def stepped_aside(priority: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", STEP_ASIDE, priority], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux scheduling only")
def test_the_export_process_runs_idle_scheduled_on_one_cpu() -> None:
    cpus, idle, niceness = stepped_aside("idle")
    assert (cpus, idle) == ("1", "True") and int(niceness) >= 10


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux scheduling only")
def test_on_a_busy_machine_it_runs_at_a_low_priority_on_every_cpu() -> None:
    """``low``: where other work keeps every CPU busy, an idle-scheduled export could wait
    for a turn indefinitely."""
    cpus, idle, niceness = stepped_aside("low")
    assert (int(cpus), idle) == (len(os.sched_getaffinity(0)), "False") and int(niceness) >= 10


def test_the_priority_is_a_setting_with_two_values() -> None:
    assert Config.from_env({}).export_priority == "idle"
    assert Config.from_env({"IZDEU_EXPORT_PRIORITY": " Low "}).export_priority == "low"
    with pytest.raises(ValueError, match="IZDEU_EXPORT_PRIORITY"):
        Config.from_env({"IZDEU_EXPORT_PRIORITY": "high"})
