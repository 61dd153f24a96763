"""The lock files agree with pyproject.toml, so a fresh ``make test`` installs what is declared.

``make`` installs ``requirements/test.txt`` and then the project with ``--no-deps``: a
dependency added to pyproject.toml without ``make lock`` would be missing from the
environment, and one whose range no longer admits the locked version would be installed
at the wrong version. Both are caught here, before an import fails somewhere else.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def pins(name: str) -> dict[str, set[str]]:
    """Each locked distribution with its versions (a universal lock may pin one per Python)."""
    found: dict[str, set[str]] = {}
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    for dist, version in PIN.findall(text):
        found.setdefault(canonicalize_name(dist), set()).add(version)
    entries = [line for line in text.splitlines() if line[:1].isalnum()]
    assert "--hash=sha256:" in text and len(entries) == sum(map(len, found.values()))
    return found


def requirements(group: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [Requirement(r) for r in listed]


def unlocked(reqs: list[Requirement], locked: dict[str, set[str]]) -> list[str]:
    """Requirements the lock does not pin, or pins outside their range."""
    wrong = []
    for req in reqs:
        versions = locked.get(canonicalize_name(req.name), set())
        if not versions or not all(req.specifier.contains(v, prereleases=True) for v in versions):
            wrong.append(f"{req} (locked: {sorted(versions) or 'nothing'})")
    return wrong


def test_the_test_lock_pins_every_declared_requirement_within_its_range() -> None:
    assert unlocked(requirements(None) + requirements("test"), pins("test.txt")) == []


def test_the_run_lock_pins_the_bot_with_the_versions_the_tests_ran() -> None:
    run, test = pins("run.txt"), pins("test.txt")
    assert unlocked(requirements(None), run) == []
    assert {name: versions for name, versions in run.items() if test.get(name) != versions} == {}


def test_a_requirement_left_out_of_the_lock_is_reported() -> None:
    locked = pins("test.txt")
    del locked["jinja2"]
    assert unlocked(requirements(None), locked) == ["jinja2<4,>=3.1 (locked: nothing)"]
