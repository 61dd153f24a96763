"""Layering rules the code must keep."""

from __future__ import annotations

import ast
import textwrap
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


# --- One use case per action -------------------------------------------------------
#
# A handler function parses the update, calls ONE use case of the core and renders its
# result. The scan below finds every call on the core's services object
# (``services(context).area.method(...)``, ``desk_of(request).services.area.method(...)``,
# and any name or parameter holding the services, an area or a bound method of it), follows
# calls to handler functions (of the same module and imported from another handler module),
# and counts along each path through the function: ``if``/``else`` (and ``match``) are
# alternatives, an early ``return``/``raise`` ends a path, a call inside a loop counts twice
# (it repeats). A path with more than one use case fails.

# Reads a handler may make besides its use case, only to render the answer: who the actor
# is (their id as the core stores it, their role and language), the reader's translations.
# None of them writes or decides anything.
RENDERING_READS = {
    "user_key",  # the sender's id as the core stores it (a pure function, no I/O)
    "catalogs.get",  # the reader's translations
    "store.get_user",  # the actor (role, language, time zone) for the reply's language
    "staff.actor",  # the acting staff member (role) the use case is called with
    "staff.acting",  # the same, their Telegram name refreshed for colleagues to see
    "un.who",  # the same for the UN pages: the actor and their language
    "staff.staff.get",  # the same, where a handler only asks whether one is staff
    "staff.staff_locale",  # a staff member's language
    "staff.timezone_of",  # a staff member's time zone, to write times in it
    "clock.now",  # the time, for dates written relative to today
}
# Parts of the services object that hold no use case: settings and the time, and the
# delivery of the notices that use cases wrote in their transactions (it sends what an
# action already decided, as the outbox sends replies: not an action of its own).
NOT_USE_CASES = {"config", "clock", "catalogs", "errors", "notices"}


def service_areas() -> dict[str, str]:
    """The type of each area of ``Services`` (``ReportService`` -> ``report``), so a
    helper's parameter annotated with it is recognised as that area."""
    tree = ast.parse((ROOT / "bot" / "app.py").read_text(encoding="utf-8"))
    areas: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Services":
            for item in node.body:
                if (
                    isinstance(item, ast.AnnAssign)
                    and isinstance(item.target, ast.Name)
                    and isinstance(item.annotation, ast.Name)
                ):
                    areas[item.annotation.id] = item.target.id
    return areas


Path_ = tuple[str, ...]  # ("services",), ("desk",), ("services", "report", "read"), ...


class UseCaseCounter:
    """Counts, per path, the use cases a handler function reaches."""

    def __init__(self, functions: dict[str, dict[str, ast.AST]], areas: dict[str, str]):
        self.functions = functions  # module -> name -> function (imported names included)
        self.areas = areas
        self.memo: dict[int, int] = {}
        self.active: set[int] = set()

    # -- what an expression holds
    def resolve(self, node: ast.AST, names: dict[str, Path_]) -> Path_ | None:
        if isinstance(node, ast.Name):
            return names.get(node.id)
        if isinstance(node, ast.Await):
            return self.resolve(node.value, names)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in names:
                return None
            if node.func.id == "services":
                return ("services",)
            if node.func.id == "desk_of":
                return ("desk",)
            return None
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value, names)
            if base == ("desk",) and node.attr == "services":
                return ("services",)
            if base and base[0] == "services":
                return (*base, node.attr)
        return None

    def parameters(self, fn: ast.AST) -> dict[str, Path_]:
        names: dict[str, Path_] = {}
        assert isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for arg in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]:
            note = arg.annotation
            if isinstance(note, ast.Constant) and isinstance(note.value, str):
                note = ast.parse(note.value, mode="eval").body
            if isinstance(note, ast.Name):
                if note.id == "Services":
                    names[arg.arg] = ("services",)
                elif note.id == "Desk":
                    names[arg.arg] = ("desk",)
                elif note.id in self.areas:
                    names[arg.arg] = ("services", self.areas[note.id])
        return names

    # -- counting
    def function(self, module: str, fn: ast.AST) -> int:
        """The most use cases on one path through ``fn``."""
        key = id(fn)
        if key in self.memo:
            return self.memo[key]
        if key in self.active:  # recursion: counted once already
            return 0
        self.active.add(key)
        assert isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        fall, done = self.block(module, fn.body, self.parameters(fn))
        self.active.discard(key)
        self.memo[key] = max(fall or 0, done)
        return self.memo[key]

    def block(
        self, module: str, body: list[ast.stmt], names: dict[str, Path_]
    ) -> tuple[int | None, int]:
        """(most on a path that runs past the end, most on a path that returned)."""
        fall: int | None = 0
        done = 0
        for stmt in body:
            if fall is None:
                break
            s_fall, s_done = self.statement(module, stmt, names)
            done = max(done, fall + s_done)
            fall = None if s_fall is None else fall + s_fall
        return fall, done

    def statement(
        self, module: str, stmt: ast.stmt, names: dict[str, Path_]
    ) -> tuple[int | None, int]:
        e = lambda node: self.expression(module, node, names)  # noqa: E731
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return 0, 0
        if isinstance(stmt, ast.Return | ast.Raise):
            value = stmt.value if isinstance(stmt, ast.Return) else stmt.exc
            return None, e(value) if value is not None else 0
        if isinstance(stmt, ast.Assign | ast.AnnAssign):
            count = e(stmt.value) if stmt.value is not None else 0
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            held = self.resolve(stmt.value, names) if stmt.value is not None else None
            for target in targets:
                if isinstance(target, ast.Name):
                    if held is not None:
                        names[target.id] = held
                    else:
                        names.pop(target.id, None)
            return count, 0
        if isinstance(stmt, ast.If):
            test = e(stmt.test)
            b_fall, b_done = self.block(module, stmt.body, names)
            o_fall, o_done = self.block(module, stmt.orelse, names)
            falls = [f for f in (b_fall, o_fall) if f is not None]
            return (test + max(falls) if falls else None), test + max(b_done, o_done)
        if isinstance(stmt, ast.Match):
            subject = e(stmt.subject)
            results = [self.block(module, case.body, names) for case in stmt.cases]
            falls = [f for f, _ in results if f is not None] + [0]
            return subject + max(falls), subject + max([d for _, d in results] + [0])
        if isinstance(stmt, ast.For | ast.AsyncFor | ast.While):
            head = e(stmt.iter if not isinstance(stmt, ast.While) else stmt.test)
            b_fall, b_done = self.block(module, stmt.body, names)
            repeated = 2 * max(b_fall or 0, b_done)
            o_fall, o_done = self.block(module, stmt.orelse, names)
            return head + repeated + (o_fall or 0), head + repeated + o_done
        if isinstance(stmt, ast.With | ast.AsyncWith):
            head = sum(e(item.context_expr) for item in stmt.items)
            b_fall, b_done = self.block(module, stmt.body, names)
            return (None if b_fall is None else head + b_fall), head + b_done
        if isinstance(stmt, ast.Try | ast.TryStar):
            b_fall, b_done = self.block(module, stmt.body, names)
            reached = max(b_fall or 0, b_done)  # an exception may come after any call
            handlers = [self.block(module, h.body, names) for h in stmt.handlers]
            o_fall, o_done = self.block(module, stmt.orelse, names)
            f_fall, f_done = self.block(module, stmt.finalbody, names)
            falls = [reached + f for f, _ in handlers if f is not None]
            if b_fall is not None and o_fall is not None:
                falls.append(b_fall + o_fall)
            dones = [b_done, (b_fall or 0) + o_done] + [reached + d for _, d in handlers]
            fall = None if not falls or f_fall is None else max(falls) + f_fall
            return fall, max(dones) + max(f_fall or 0, f_done)
        return sum(e(child) for child in ast.iter_child_nodes(stmt)), 0

    def expression(self, module: str, node: ast.AST, names: dict[str, Path_]) -> int:
        if isinstance(node, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef):
            return 0
        if isinstance(node, ast.IfExp):
            test = self.expression(module, node.test, names)
            return test + max(
                self.expression(module, node.body, names),
                self.expression(module, node.orelse, names),
            )
        count = sum(self.expression(module, c, names) for c in ast.iter_child_nodes(node))
        if isinstance(node, ast.Call):
            count += self.call(module, node, names)
        return count

    def call(self, module: str, node: ast.Call, names: dict[str, Path_]) -> int:
        target = self.resolve(node.func, names)
        if target is not None and len(target) >= 2:
            if target[1] in NOT_USE_CASES and ".".join(target[1:]) not in RENDERING_READS:
                return 0
            return 0 if ".".join(target[1:]) in RENDERING_READS else 1
        helper = None
        if isinstance(node.func, ast.Name) and node.func.id not in names:
            helper = self.functions[module].get(node.func.id)
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            # ``routing.show_letter_set(...)``: a function of an imported handler module
            other = self.modules[module].get(node.func.value.id)
            if other in self.functions and node.func.value.id not in names:
                helper = self.functions[other].get(node.func.attr)
        if helper is not None:
            return self.function(self.home[id(helper)], helper)
        return 0

    home: dict[int, str] = {}  # function -> the module it is defined in
    modules: dict[str, dict[str, str]] = {}  # module -> imported handler modules by name


def handler_modules() -> dict[str, ast.Module]:
    return {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): ast.parse(
            path.read_text(encoding="utf-8")
        )
        for path in handler_files()
    }


def imported_handler_modules(tree: ast.Module) -> dict[str, str]:
    """The handler modules a module imports, by the name it calls them by."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("handlers"):
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("handlers.") and alias.asname:
                    found[alias.asname] = alias.name
    return found


def use_case_counts(modules: dict[str, ast.Module]) -> dict[str, int]:
    """Every function of ``modules`` and the most use cases on one of its paths."""
    own: dict[str, dict[str, ast.AST]] = {}
    home: dict[int, str] = {}  # function -> the module it is defined in
    for name, tree in modules.items():
        own[name] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                own[name].setdefault(node.name, node)
                home[id(node)] = name
    visible = {name: dict(functions) for name, functions in own.items()}
    for name, tree in modules.items():
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module in own:
                for alias in node.names:
                    if alias.name in own[node.module]:
                        visible[name][alias.asname or alias.name] = own[node.module][alias.name]
    counter = UseCaseCounter(visible, service_areas())
    counter.home = home
    counter.modules = {name: imported_handler_modules(tree) for name, tree in modules.items()}
    counts = {}
    for name, functions in own.items():
        for fn_name, fn in functions.items():
            counts[f"{name}.{fn_name}"] = counter.function(name, fn)
    return counts


def acting_for_a_person(module: str) -> bool:
    """Modules whose functions answer a person's update or page (the feature handlers,
    chat and desk, and the views they call). The runtime (building the application,
    receiving updates, routing a message to its handler) and the jobs act for nobody's
    update: they are outside this rule."""
    stem = module.rsplit(".", 1)[-1]
    return stem not in RUNTIME_MODULES | {"jobs", "__init__"}


def counts_of(source: str) -> dict[str, int]:
    """The counts of one made-up handler module (to show what the scan catches)."""
    tree = ast.parse(textwrap.dedent(source))
    return {
        name.rsplit(".", 1)[-1]: n
        for name, n in use_case_counts({"handlers.sample": tree}).items()
    }


def test_the_scan_counts_use_cases_on_each_path() -> None:
    counts = counts_of(
        """
        async def two(update, context):
            await services(context).report.pause(1)
            await services(context).report.start(1)

        async def aliased(update, context):
            s = services(context)
            report = s.report
            await report.draft(1)
            await s.followup.forms.cancel(1)

        async def desk(request):
            desk = desk_of(request)
            page = await desk.services.review.queue(1)
            return await desk_of(request).services.review.languages(1, page)

        async def through_a_helper(update, context):
            await services(context).report.pause(1)
            await _show(update, context)

        async def _show(update, context):
            await services(context).report.draft(1)

        async def in_a_loop(update, context):
            for case in (1, 2):
                await services(context).staff.assign(case)

        async def alternatives(update, context):
            s = services(context)
            if update:
                await s.review.correct(1)
            else:
                await s.review.send_back(1)
            return

        async def early_return(update, context):
            if await services(context).followup.forms.cancel(1):
                return
            await say(update, context, "nothing")

        async def reads_for_rendering(update, context):
            s = services(context)
            actor = await s.staff.actor(s.user_key(1))
            t = s.catalogs.get("ru")
            await s.staff.open_case(actor, 1)

        async def typed(s: Services, update):
            await s.un.overview(1)
            await s.un.staff_page(1)
        """
    )
    assert counts == {
        "two": 2,
        "aliased": 2,
        "desk": 2,
        "through_a_helper": 2,
        "_show": 1,
        "in_a_loop": 2,
        "alternatives": 1,
        "early_return": 1,
        "reads_for_rendering": 1,
        "typed": 2,
    }


def test_a_handler_calls_one_use_case_per_path() -> None:
    over = {
        name: n
        for name, n in use_case_counts(handler_modules()).items()
        if n > 1 and acting_for_a_person(name.rsplit(".", 1)[0])
    }
    assert over == {}, "handlers reaching two use cases on one path: " + ", ".join(sorted(over))


# --- one conversation engine ---------------------------------------------------------
# The engine's moves: the only functions that change where a form stands.
ENGINE_MOVES = {"apply", "back", "skip", "keep", "clear", "edit_section"}
ENGINE_PACKAGE = ROOT / "bot" / "domain" / "forms"


def _is_engine(path: Path) -> bool:
    return ENGINE_PACKAGE in path.parents


def test_every_conversation_is_a_form_spec_registered_in_the_one_engine() -> None:
    """The report and every short form are FormSpecs the engine knows by name, and the
    report's steps are its questions, in their order."""
    import importlib

    from bot.domain import forms
    from bot.domain import questions as q

    specs = []
    for path in sorted((ROOT / "bot" / "domain").glob("*_form*.py")):
        module = importlib.import_module(f"bot.domain.{path.stem}")
        specs += [v for v in vars(module).values() if isinstance(v, forms.FormSpec)]
    assert len(specs) >= 10
    for spec in specs:
        assert forms.FORMS.get(spec.name) is spec, spec.name
    report = forms.FORMS["report"]
    assert [s.key for s in report.steps] == [x.key for x in q.QUESTIONS]
    assert report.review and report.keep_answers
    assert dict(report.loop_of) == dict(q.SUB_STEPS)  # the loops' steps the chat shows
    assert not (ROOT / "bot" / "domain" / "engine.py").exists()


def test_no_module_besides_the_engine_defines_navigation() -> None:
    """Position, the way back, skipping and pending items are the engine's own: no other
    module of the core defines a move of its own (a second engine), or reads or writes
    the engine's bookkeeping in a form's data."""
    keys = {"BACK_KEY", "PENDING_KEY", "RETURN_KEY"}  # names of the keys, and the keys
    stored = {"_back", "_pending", "_review"}
    offenders = []
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            if _is_engine(path):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            where = str(path.relative_to(ROOT))
            if "domain" in path.parts:
                for node in tree.body:  # a module-level move is an engine of its own
                    if isinstance(node, ast.FunctionDef) and node.name in ENGINE_MOVES:
                        offenders.append(f"{where}: def {node.name}")
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id in keys:
                    offenders.append(f"{where}: {node.id}")
                elif isinstance(node, ast.Attribute) and node.attr in keys:
                    offenders.append(f"{where}: {node.attr}")
                elif isinstance(node, ast.Constant) and node.value in stored:
                    offenders.append(f"{where}: {node.value!r}")
    assert offenders == []


def _engine_calls(path: Path) -> set[str]:
    """The names of ``forms.<name>`` the module uses (``bot.domain.forms`` as ``forms``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "forms"
    }


def test_the_report_and_the_short_forms_move_only_through_the_engine() -> None:
    """The report service and the short forms' runner make every move with the engine's
    functions; neither builds a position of its own."""
    report = ROOT / "bot" / "services" / "report.py"
    runner = ROOT / "bot" / "services" / "forms.py"
    for path in (report, runner):
        assert "bot.domain.forms" in imported_modules(path)
        assert "bot.domain.engine" not in imported_modules(path)
    assert ENGINE_MOVES <= _engine_calls(report)
    assert {"apply", "skip", "back", "begin"} <= _engine_calls(runner)
    for path in (report, runner):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        built = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("Form", "Draft", "replace")
        ]
        assert built == [], (path.name, built)
