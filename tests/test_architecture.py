"""Layering rules the code must keep."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_core_never_imports_telegram() -> None:
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        if any(m == "telegram" or m.startswith("telegram.") for m in imported_modules(path)):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_sql_lives_only_in_the_storage_layer() -> None:
    sql = ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE")
    offenders = []
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            if "storage" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if any(f'"{kw}' in text or f'"""{kw}' in text for kw in sql):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_product_never_imports_the_benchmark_or_the_tests() -> None:
    offenders = []
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            if any(m.split(".")[0] in ("bench", "tests") for m in imported_modules(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
