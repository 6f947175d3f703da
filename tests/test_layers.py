"""The layering, checked on the source: the domain knows neither Slack nor SQL, handlers never touch
the database, and only `storage/` speaks SQLAlchemy. The composition root is where they meet.

Every import counts, including those inside functions and under `if TYPE_CHECKING:`, and
`importlib.import_module("...")` / `__import__("...")` with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "storage")
COMPOSITION_ROOT = frozenset({"bot/app.py", "bot/cli.py", "bot/demo.py", "bot/server.py"})

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


def violations(imports: Iterable[Import], applies: Callable[[str], bool], forbidden: frozenset[str]) -> list[str]:
    return sorted(f"{imp.path}:{imp.line}: imports {imp.module}"
                  for imp in imports if applies(imp.path) and imp.top in forbidden)


def is_domain(path: str) -> bool:
    return path.startswith("bot/") and path not in COMPOSITION_ROOT


def is_handlers(path: str) -> bool:
    return path.startswith("handlers/")


def outside_storage(path: str) -> bool:
    return not path.startswith("storage/") and path not in COMPOSITION_ROOT


def test_the_walk_sees_every_package_and_the_imports_of_the_composition_root() -> None:
    modules = app_modules()
    assert {"bot/hazards.py", "handlers/hazard.py", "storage/uow.py", "storage/migrations/env.py"} <= set(modules)
    tops = {(imp.path, imp.top) for imp in all_imports()}
    # Positive controls: imports the rules below allow, so a walk that found nothing would show here.
    assert ("bot/app.py", "sqlalchemy") in tops
    assert ("bot/app.py", "slack_bolt") in tops
    assert ("bot/cli.py", "storage") in tops  # imported inside a function
    assert ("handlers/hazard.py", "slack_bolt") in tops


def test_the_domain_imports_neither_slack_nor_the_web_nor_the_database() -> None:
    found = violations(all_imports(), is_domain, SLACK_AND_WEB | DATABASE | {"handlers", "storage"})
    assert not found, ("bot/ (outside the composition root bot/app.py, cli.py, demo.py, server.py) must stay "
                       "free of Slack, HTTP and SQL; go through bot/ports.py instead:\n" + "\n".join(found))


def test_handlers_never_touch_the_database() -> None:
    found = violations(all_imports(), is_handlers, DATABASE | {"storage"})
    assert not found, "handlers/ must reach the database only through Services.uow:\n" + "\n".join(found)


def test_only_storage_and_the_composition_root_import_sqlalchemy_or_alembic() -> None:
    found = violations(all_imports(), outside_storage, DATABASE)
    assert not found, "only storage/ may import sqlalchemy or alembic:\n" + "\n".join(found)


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
    )
    imports = list(imports_in(source, "bot/sub/model.py"))
    assert violations(imports, is_domain, SLACK_AND_WEB | DATABASE | {"storage"}) == [
        "bot/sub/model.py:4: imports sqlalchemy.orm.Session",
        "bot/sub/model.py:6: imports slack_sdk.errors",
        "bot/sub/model.py:8: imports httpx",
    ]
    # The relative import resolves to bot.storage (inside bot/), not the storage package.
    assert [i.module for i in imports if i.line == 7] == ["bot.storage.uow"]
    assert violations(imports, outside_storage, DATABASE) == ["bot/sub/model.py:4: imports sqlalchemy.orm.Session"]
    assert violations(imports, lambda path: path in COMPOSITION_ROOT, DATABASE) == []
