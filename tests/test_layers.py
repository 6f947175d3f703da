"""The layering, checked on the source: the domain knows neither Slack nor SQL, handlers never touch
the database, and only `storage/` speaks SQLAlchemy. The composition root is where they meet.

Every import counts, including those inside functions and under `if TYPE_CHECKING:`, and
`importlib.import_module("...")` / `__import__("...")` with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")

SLACK_AND_WEB = frozenset({"slack_bolt", "slack_sdk", "httpx", "starlette", "uvicorn"})
DATABASE = frozenset({"sqlalchemy", "alembic"})


@dataclass(frozen=True)
class Import:
    path: str  # relative to the repository, with forward slashes
    line: int
    module: str  # absolute dotted name

    @property
    def top(self) -> str:
        return self.module.split(".")[0]


def module_name(path: str) -> str:
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(node: ast.ImportFrom, path: str) -> str:
    if node.level == 0:
        return node.module or ""
    package = module_name(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_in(source: str, path: str) -> Iterator[Import]:
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, path)
            for alias in node.names:
                # `from storage import uow` imports the module storage.uow; either way its top is storage.
                yield Import(path, node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                yield Import(path, node.lineno, node.args[0].value)


def app_modules() -> list[str]:
    return sorted(str(p.relative_to(REPO).as_posix()) for package in PACKAGES for p in (REPO / package).rglob("*.py"))


def all_imports() -> list[Import]:
    return [imp for path in app_modules()
            for imp in imports_in((REPO / path).read_text(encoding="utf-8"), path)]


def features(layer: str) -> frozenset[str]:
    """The feature packages of a layer: every package in it but the shared core (and bot's runtime)."""
    return frozenset(p.name for p in (REPO / layer).iterdir()
                     if (p / "__init__.py").exists() and p.name not in ("core", "runtime", "migrations"))


def owner(path_or_module: str) -> tuple[str, str | None]:
    """(layer, feature) of a file path or dotted module: ("bot", "hazards"), ("bot", "core"), ("storage", None)."""
    parts = path_or_module.removesuffix(".py").replace("/", ".").split(".")
    return parts[0], parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] != "__init__") else None


def is_public(module: str) -> bool:
    """A feature's public face: its package itself, or a name its `__init__` exports (not a submodule)."""
    parts = module.split(".")
    if len(parts) == 2:
        return True
    return len(parts) == 3 and not (REPO / parts[0] / parts[1] / parts[2]).with_suffix(".py").exists() \
        and not (REPO / parts[0] / parts[1] / parts[2] / "__init__.py").exists()


def problem(imp: Import) -> str | None:
    """Why this import breaks the layering, or None. One rule per layer, by prefix; no exception list."""
    layer, feature = owner(imp.path)
    target_layer, target_feature = owner(imp.module) if imp.top in PACKAGES else (imp.top, None)
    if imp.top in DATABASE and layer != "storage" and feature != "runtime":
        return "only storage/ (and bot/runtime, which wires it) may speak SQL"
    if layer == "bot" and feature == "runtime":
        return None  # the composition root: the one place where everything meets
    if layer == "bot" and imp.top in SLACK_AND_WEB | {"handlers", "storage"}:
        return "bot/ knows neither Slack, HTTP nor the database; go through bot/core/ports.py"
    if layer == "handlers" and imp.top == "storage":
        return "handlers/ reach the database only through the use cases"
    if imp.top not in PACKAGES or target_layer == "storage":
        return None
    if target_feature == "runtime":
        return "only bot/runtime wires; nothing imports it"
    if feature == "core" and target_feature not in ("core", None):
        return f"{layer}/core imports no feature"
    if target_feature in ("core", None) or target_feature == feature or is_public(imp.module):
        return None  # another layer of the same feature, or another feature's public __init__
    return ("a feature imports another only through its package's __init__ "
            f"(`from {target_layer}.{target_feature} import ...`)")


def violations(imports: Iterable[Import]) -> list[str]:
    return sorted(f"{imp.path}:{imp.line}: imports {imp.module}: {why}"
                  for imp in imports if (why := problem(imp)))


def test_the_walk_sees_every_package_and_the_imports_of_the_composition_root() -> None:
    modules = app_modules()
    assert {"bot/hazards/usecases.py", "handlers/hazards/report.py", "storage/uow.py",
            "storage/migrations/env.py"} <= set(modules)
    assert {"hazards", "incidents", "plans"} <= features("bot") and {"hazards", "plans"} <= features("handlers")
    tops = {(imp.path, imp.top) for imp in all_imports()}
    # Positive controls: imports the rules allow, so a walk that found nothing would show here.
    assert ("bot/runtime/app.py", "sqlalchemy") in tops
    assert ("bot/runtime/app.py", "slack_bolt") in tops
    assert ("bot/runtime/cli.py", "storage") in tops  # imported inside a function
    assert ("handlers/hazards/report.py", "slack_bolt") in tops


def test_every_import_keeps_the_layers_and_the_features_apart() -> None:
    found = violations(all_imports())
    assert not found, "\n".join(found)


def test_a_violation_is_reported_with_file_and_line() -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from sqlalchemy.orm import Session\n"
        "def later():\n"
        "    import slack_sdk.errors\n"
        "    from ..storage import uow\n"
        "    importlib.import_module('httpx')\n"
        "from bot.incidents.usecases import start_plan\n"
        "from bot.incidents import start_plan\n"
        "from bot.core.errors import NotFound\n"
        "from bot.runtime.app import create_app\n"
    )
    imports = list(imports_in(source, "bot/hazards/model.py"))
    assert [line.split(": imports ")[0] for line in violations(imports)] == [
        "bot/hazards/model.py:12", "bot/hazards/model.py:4", "bot/hazards/model.py:6",
        "bot/hazards/model.py:8", "bot/hazards/model.py:9"]
    # The relative import resolves to bot.storage (inside bot/), not the storage package.
    assert [i.module for i in imports if i.line == 7] == ["bot.storage.uow"]
    core = list(imports_in("from bot.hazards import Step\nfrom bot.core.org import Org\n", "bot/core/org.py"))
    assert [v.split(": imports ")[0] for v in violations(core)] == ["bot/core/org.py:1"]
    root = list(imports_in("import sqlalchemy\nfrom handlers.hazards.report import register\n", "bot/runtime/app.py"))
    assert violations(root) == []
    view = list(imports_in("from bot.hazards.usecases import take_step\nfrom bot.plans.model import Plan\n",
                           "handlers/hazards/steps.py"))
    assert [v.split(": imports ")[0] for v in violations(view)] == ["handlers/hazards/steps.py:2"]
