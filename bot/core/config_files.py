"""Reading the YAML files admins edit by hand (the org file, plans, checklists) with line-numbered diagnostics.

A mistake must come back in terms an admin can act on: the file, the line, the key path and a plain-language
reason, every mistake at once rather than one per run. This module holds what that takes for any such file:
one YAML loader, the line of a key path, duplicate keys (which PyYAML would silently drop) and the wording
of pydantic's common errors. What the file means, and its own cross-checks, stay with its feature.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, get_args

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic_core import ErrorDetails, PydanticCustomError

Loc = tuple[int | str, ...]
Found = tuple[int, Loc, str]  # line, key path, reason


class ConfigFileError(Exception):
    """Every problem of a file, one line each, so the whole file can be fixed in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Loader(yaml.SafeLoader):
    """SafeLoader, except that what YAML 1.1 would guess stays text, to be reported with its line like any
    other mistake: dates (PyYAML turns 2027-02-30 into a bare ValueError with no line), times (an unquoted
    10:30 would be the base-60 number 630) and floats. Plain decimal integers are still numbers."""

    yaml_implicit_resolvers = {  # noqa: RUF012  # PyYAML's own class-level table, copied and trimmed
        first: [(tag, regex) for tag, regex in resolvers
                if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))


def read_yaml(text: str, *, source: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for lines) and the data of one YAML document, from one parse; raises ConfigFileError
    naming the line of a syntax error, in plain words where the slip is a common one (see `_plain_words`)."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, None if root is None else loader.construct_document(root)
    except yaml.YAMLError as exc:
        problems = [f"{source}:{line}: invalid YAML: {why}" for line, why in _plain_words(text, exc)]
        raise ConfigFileError(problems) from None
    finally:
        loader.dispose()


FULL_WIDTH_COLON = "\uff1a"  # "：", what a Chinese input method types for ':'


def _plain_words(text: str, exc: yaml.YAMLError) -> list[tuple[int, str]]:
    """PyYAML's message ("while scanning a simple key; could not find expected ':'") names the parser's
    state, often on the line after the slip. Name the slip instead, on its own line: a tab in the
    indentation, a full-width colon, a key without its space after ':', a line indented unlike its
    neighbour. Anything else keeps PyYAML's words and line."""
    lines = text.splitlines()
    problem, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    at = (problem.line if problem else 0) + 1  # 1-based line PyYAML stopped at
    upto = lines[:at]
    tabs = [n for n, line in enumerate(upto, 1) if "\t" in line[: len(line) - len(line.lstrip())]]
    if tabs:
        return [(n, f"line {n} is indented with a tab; YAML indents with spaces only") for n in tabs]
    colons = [n for n, line in enumerate(upto, 1) if _full_width_key(line)]
    if colons:
        return [(n, f"line {n} has a full-width colon '{FULL_WIDTH_COLON}' (Chinese input) after its key; "
                    "type ':' in English input, then a space") for n in colons]
    message = getattr(exc, "problem", None) or ""
    if "could not find expected ':'" in message and context is not None:
        n = context.line + 1
        line = lines[n - 1] if n <= len(lines) else ""
        if re.match(r"^\s*(?:-\s+)?[\w.-]+:\S", line):
            return [(n, f"line {n} needs a space after ':' (write 'key: value')")]
        return [(n, f"line {n} has no ':' after its key")]
    if message.startswith("expected <block end>") or message == "mapping values are not allowed here":
        previous = _previous_content(lines, at)
        here, there = (_key_column(lines[n - 1]) for n in (at, previous or at))
        if previous is not None and here != there and not lines[previous - 1].rstrip().endswith(":"):
            return [(at, f"line {at} is indented differently from line {previous} (its key starts in column "
                         f"{here + 1}, line {previous}'s in column {there + 1}); keys of one section line up")]
        if message == "mapping values are not allowed here":
            return [(at, f"line {at} has a second ': ' in it; put the value in quotes (\"like: this\")")]
    parts = [getattr(exc, "context", None), message]
    return [(at, "; ".join(part for part in parts if part) or str(exc))]


_FULL_WIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w.-]*\s*" + FULL_WIDTH_COLON)


def _full_width_key(line: str) -> bool:
    """`name：value`: a full-width colon right after a key (the files' keys are ASCII words). One inside a value,
    `name: 客服：一部`, or a list item `- 客服：一部`, is text and fine."""
    return bool(_FULL_WIDTH_KEY.match(line))


def _key_column(line: str) -> int:
    """Where a line's key starts, past its indentation and any list dashes (`  - key:` is column 4)."""
    match = re.match(r"^(?:[ ]*-(?=[ ]))*[ ]*", line)
    return match.end() if match else 0


def _previous_content(lines: list[str], at: int) -> int | None:
    """The 1-based number of the last line before `at` that holds something (not blank, not a comment)."""
    for n in range(at - 1, 0, -1):
        stripped = lines[n - 1].strip()
        if stripped and not stripped.startswith("#"):
            return n
    return None


def read_config_text(path: Path, *, setting: str | None = None) -> str:
    """A configuration file's text; raises ValueError with one line an admin can act on.

    A relative path is read from the working directory, which is rarely where the admin thinks it is
    (a service manager, another shell): "not found" names the absolute path, the directory, and the
    `setting` that names the file."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        where = f"looked for {path.absolute()}, working directory {Path.cwd()}"
        fix = f"; set {setting} to the file's path" if setting else ""
        raise ValueError(f"{path}: file not found ({where}){fix}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None


def duplicate_keys(node: yaml.Node | None, loc: Loc = (), seen: set[int] | None = None) -> Iterator[Found]:
    """PyYAML silently keeps the last of two equal keys, which would quietly drop e.g. a members list."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        names: set[str] = set()
        for key_node, value_node in node.value:
            name = str(key_node.value)
            if name in names:
                yield key_node.start_mark.line + 1, (*loc, name), f"duplicate key '{name}'"
            names.add(name)
            yield from duplicate_keys(value_node, (*loc, name), seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from duplicate_keys(item, (*loc, i), seen)


def line_of(root: yaml.Node | None, loc: Sequence[int | str], *, at_key: bool = False) -> int:
    """Follows loc down the node tree; a missing key stops at its parent mapping, which is what we want."""
    node, line = root, (root.start_mark.line + 1 if root else 1)
    for depth, part in enumerate(loc, 1):
        pair: tuple[yaml.Node, yaml.Node] | None = None
        if isinstance(node, yaml.MappingNode):
            pair = next((p for p in reversed(node.value) if str(p[0].value) == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            pair = (node.value[part], node.value[part])
        if pair is None:
            break
        node = pair[1]
        line = (pair[0] if at_key and depth == len(loc) else node).start_mark.line + 1
    return line


def path_text(loc: Sequence[int | str]) -> str:
    """`departments[0].head`; the top level when loc is empty."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".") or "(top level)"


def show(value: Any) -> str:
    """A value as the admin wrote it, cut short."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def reason(error: ErrorDetails, model: type[BaseModel] | None = None) -> str:
    """Pydantic's messages are written for developers; rephrase the ones an admin is likely to hit.

    `model`: the file's top-level model, so an unknown key can be answered with the key it is closest to."""
    value = error.get("input")
    match error["type"]:
        case "missing":
            return "field required"
        case "extra_forbidden":
            return f"unknown key '{error['loc'][-1]}'" + _did_you_mean(model, error["loc"])
        case "literal_error":
            return f"{show(value)} is not allowed here (use {error.get('ctx', {}).get('expected')})"
        case "too_short":
            return "needs at least one entry"
        case "string_too_short":
            return "must not be empty"
        case "string_type":
            return f"expected text, got {show(value)}"
        case "list_type":
            return f"expected a list, got {show(value)}"
        case "model_type" | "model_attributes_type" | "dict_type":
            return f"expected keys and values, got {show(value)}"
        case "bool_type" | "bool_parsing":
            return f"{show(value)} is not true or false"
    return error["msg"]


def _did_you_mean(model: type[BaseModel] | None, loc: Loc) -> str:
    """`deputi` → "; did you mean 'deputy'?", from the keys the model takes at that place."""
    keys = _keys_at(model, loc[:-1]) if model is not None else []
    close = difflib.get_close_matches(str(loc[-1]).lower(), keys, n=1, cutoff=0.7)
    return f"; did you mean '{close[0]}'?" if close else ""


def _keys_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys of the section at `loc` (list indexes pass through to the list's items)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        current = _model_in(field.annotation) if field is not None else None
    return list(current.model_fields) if current is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, through Annotated, Optional and list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def iso_date(value: object) -> object:
    """A date written 2027-01-01; the loader leaves dates as text, so an impossible one gets a line too."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("bad_date", "{value} is not a date like 2027-01-01", {"value": show(value)})


IsoDate = Annotated[date, BeforeValidator(iso_date)]


def clock_time(value: object) -> object:
    """A time of day written 18:00 (24-hour clock); the loader leaves it as text, so a bad one gets a line."""
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (found := re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", value.strip())):
        return time(int(found.group(1)), int(found.group(2)))
    raise PydanticCustomError("bad_time", "{value} is not a time of day like 18:00", {"value": show(value)})


ClockTime = Annotated[time, BeforeValidator(clock_time)]


def matching(pattern: str, what: str) -> AfterValidator:
    """Pydantic's pattern message shows a regex, which means nothing to an admin; name the thing instead."""
    regex = re.compile(pattern)

    def check(value: str) -> str:
        if not regex.fullmatch(value):
            raise PydanticCustomError("bad_format", "{value} is not " + what, {"value": repr(value)})
        return value

    return AfterValidator(check)
