"""Printing figures next to their targets, and the few statistics the benchmark needs."""

from __future__ import annotations

import math
import resource
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def peak_rss_mb() -> float:
    """Peak resident memory (ru_maxrss) of this process in MB; Linux reports KB, macOS bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def own_peak_rss_mb() -> float:
    """Peak resident memory of this process since it started its program, in MB.

    A child's ``ru_maxrss`` (and so the parent's ``RUSAGE_CHILDREN``) starts from the
    parent's size at fork and survives exec on Linux, so a child of a large benchmark
    would report the benchmark's memory. ``VmHWM`` in /proc belongs to the program's own
    address space; elsewhere fall back to ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()


@dataclass
class Verdict:
    name: str
    value: str
    target: str
    passed: bool


@dataclass
class Report:
    """Prints as it goes (a long run shows progress) and keeps the verdicts for the summary."""

    verdicts: list[Verdict] = field(default_factory=list)

    def section(self, title: str) -> None:
        print(f"\n== {title}", flush=True)

    def note(self, text: str) -> None:
        print(f"   {text}", flush=True)

    def figure(self, name: str, value: str, target: str = "", passed: bool | None = None) -> None:
        """One line: name, value, and when there is a target, the target and PASS/FAIL."""
        verdict = "" if passed is None else ("PASS" if passed else "FAIL")
        print(f"   {name:<50} {value:>20}  {target:<16} {verdict}".rstrip(), flush=True)
        if passed is not None:
            self.verdicts.append(Verdict(name, value, target, passed))

    def summary(self) -> int:
        """Print the failed targets; returns how many failed."""
        failed = [v for v in self.verdicts if not v.passed]
        print(
            f"\n== Summary: {len(self.verdicts) - len(failed)} of {len(self.verdicts)} "
            "targets met",
            flush=True,
        )
        for v in failed:
            print(f"   FAIL  {v.name}: {v.value} (target {v.target})", flush=True)
        return len(failed)
