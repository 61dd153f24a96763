"""Every third-party package the code imports is declared in pyproject.toml.

A package that is only installed because another one depends on it (fontTools under
matplotlib, say) works until that other package drops it; then a fresh install breaks.
So each import in the product (``bot/``, ``handlers/``) must name a distribution of
``[project] dependencies``, and each import in ``tests/`` and ``bench/`` one of those or of
the ``test`` extra. Imports are read from the source (also those inside functions) and
mapped to distributions with ``importlib.metadata.packages_distributions()``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"bot", "handlers", "bench", "tests", "locales", "templates"}


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> tuple[set[str], set[str]]:
    """The distributions the product needs, and those the tests add."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(requirements: list[str]) -> set[str]:
        found = (re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", r) for r in requirements)
        return {canonical(m.group(0)) for m in found if m}

    return names(project["dependencies"]), names(project["optional-dependencies"]["test"])


@cache
def imported_modules(folder: str) -> dict[str, str]:
    """Top-level module of each absolute import under ``folder``, with one place it is
    imported (file:line)."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                found.setdefault(top, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


@cache
def installed() -> dict[str, list[str]]:
    """Installed top-level modules and the distributions that provide them."""
    return dict(packages_distributions())


def undeclared(folders: tuple[str, ...], allowed: set[str]) -> list[str]:
    """Imports under ``folders`` whose distribution is not in ``allowed``, explained."""
    owners = installed()
    problems = []
    for folder in folders:
        for module, where in sorted(imported_modules(folder).items()):
            if module in FIRST_PARTY or module in sys.stdlib_module_names:
                continue
            distributions = {canonical(d) for d in owners.get(module, ())}
            if not distributions:
                problems.append(f"{where}: {module} is imported but not installed")
            elif not distributions & allowed:
                problems.append(f"{where}: {module} comes from {sorted(distributions)}")
    return problems


def test_the_product_declares_every_package_it_imports() -> None:
    run, _ = declared()
    assert undeclared(("bot", "handlers"), run) == []


def test_tests_and_benchmark_declare_every_package_they_import() -> None:
    run, test = declared()
    assert undeclared(("tests", "bench"), run | test) == []


def test_the_check_reports_a_package_left_out() -> None:
    run, _ = declared()
    problems = undeclared(("bot",), run - {"python-docx"})
    assert len(problems) == 1 and problems[0].endswith("docx comes from ['python-docx']")
