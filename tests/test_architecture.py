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


# Modules every feature handler may use: the shared plumbing and the views.
SHARED_HANDLER_MODULES = {"common", "keyboards", "texts", "outbox", "views", "routing"}
# The runtime around the handlers (building the application, receiving updates); these
# assemble the feature handlers and may import them.
RUNTIME_MODULES = {
    "app",
    "botclient",
    "inbox",
    "localapi",
    "online",
    "polling",
    "ratelimit",
    "routing",
    "startup",
    "terminal",
    "updates",
    "webhook",
}


def handler_files() -> list[Path]:
    return sorted((ROOT / "handlers").rglob("*.py"))


def test_handlers_never_import_storage() -> None:
    importing = set()
    for path in handler_files():
        if any(m == "bot.storage" or m.startswith("bot.storage.") for m in imported_modules(path)):
            importing.add(str(path.relative_to(ROOT)))
    assert importing == set()


def sideways(path: Path) -> set[str]:
    """Feature handler modules this file imports (besides the shared ones)."""
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "handlers":
                modules = [f"handlers.{alias.name}" for alias in node.names]
            else:
                modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        for module in modules:
            parts = module.split(".")
            if (
                parts[0] == "handlers"
                and len(parts) > 1
                and parts[1] not in SHARED_HANDLER_MODULES
            ):
                found.add(parts[1])
    return found


def test_feature_handlers_import_no_other_feature_handler() -> None:
    leaning = set()
    for path in handler_files():
        if path.stem in RUNTIME_MODULES | SHARED_HANDLER_MODULES | {"__init__"}:
            continue
        if "views" in path.parts:
            continue
        # A front end in its own package (handlers/web/) may use its own modules.
        if sideways(path) - {path.stem, path.parent.name}:
            leaning.add(str(path.relative_to(ROOT)))
    assert leaning == set()
