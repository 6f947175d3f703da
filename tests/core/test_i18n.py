"""The two catalogues agree with each other and with the code, and Slack locales map onto them.

A key missing from a catalogue is not an error at run time: `t()` falls back to English, then to the
key itself, so a person would see `hazard.modal.title`. These tests catch that before anyone does.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from itertools import product
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, SUPPORTED, normalize, t
from bot.hazards.messages import NOTICE_KINDS as NOTICES
from bot.hazards.model import HazardCategory, HazardStatus, Severity, Step
from bot.incidents.model import ART12, IncidentType
from bot.plans.model import OFFSETS, OverdueLevel, PlanKind
from bot.plans.recurrence import Pattern
from handlers.hazards.ids import BlockId
from handlers.incidents.report_views import TIMELINE_ACTIONS

REPO = Path(__file__).resolve().parents[2]
CATALOGUES = {locale: LOCALES_DIR / folder / "LC_MESSAGES" / "messages.po"
              for locale, folder in (("en", "en"), ("zh-CN", "zh_CN"))}
SCANNED = ("bot", "handlers")

# What the `{...}` in an f-string key can be, by the expression's source text. A key built from an
# expression not listed here fails the test, asking to list it.
AUDIENCES = ("safety", "leader", "assignee", "reporter")
ENUMERATIONS: dict[str, Sequence[str]] = {
    "c.value": [c.value for c in HazardCategory],
    "case['category']": [c.value for c in HazardCategory],
    "audience": AUDIENCES,
    "params['status']": [v.value for v in HazardStatus],
    "status": [v.value for v in HazardStatus],
    "step.value": [v.value for v in Step],
    "s.value": [v.value for v in Severity],
    "context['step']": [v.value for v in Step],
    "context['notice']": NOTICES,
    "decided['step']": [v.value for v in Step],
    "meta.step.value": [v.value for v in Step],
    "block.value": [b.value for b in BlockId if b.value.startswith("st_")],
    "case['severity']": [v.value for v in Severity],
    "context['severity']": [v.value for v in Severity],
    "k.value": [v.value for v in PlanKind],
    "p.value": [v.value for v in Pattern],
    "o": list(OFFSETS),
    "a": ["edit", "pause", "resume", "delete"],
    "action": ["pause", "resume", "delete"],
    "kind": [v.value for v in PlanKind],
    "context['level']": ["owner", "head", "safety"],
    "overdue.level": [v.value for v in OverdueLevel],
    "it.value": [v.value for v in IncidentType],
    "c['line']": ["channel_made", "channel_failed", "authority_reported", "closed", "resolved"],
    # The same values, read from the typed message contexts by attribute.
    "case.category": [c.value for c in HazardCategory],
    "context.category": [c.value for c in HazardCategory],
    "context.step": [v.value for v in Step],
    "context.notice": NOTICES,
    "decided.step": [v.value for v in Step],
    "step.event": [v.event for v in Step],
    "context.severity": [v.value for v in Severity],
    "c.line": ["channel_made", "channel_failed", "authority_reported", "closed", "resolved", "action_moved"],
    "c.notice": ["closed", "resolved"],  # incident notices (the others have sentences of their own)
    "entry_action": list(TIMELINE_ACTIONS),
    "name": list(ART12),
}
ERROR_KEY = re.compile(r"error\.[a-z0-9_]+(\.[a-z0-9_]+)*")


def read_catalogue(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        po = read_po(f, ignore_obsolete=True)
    return {str(m.id): str(m.string) for m in po if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def keys_in(source: str, path: str, enumerations: Mapping[str, Sequence[str]]) -> Iterator[tuple[str, str]]:
    """(key, where) for every `t("...")`/`t(f"...")` and every "error.…" literal in the source."""
    tree = ast.parse(source, filename=path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value, f"{path}:{node.lineno}"
            elif isinstance(first, ast.JoinedStr):
                for key in expand(first, enumerations, f"{path}:{node.lineno}"):
                    yield key, f"{path}:{node.lineno}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and ERROR_KEY.fullmatch(node.value):
            yield node.value, f"{path}:{node.lineno}"


def expand(fstring: ast.JoinedStr, enumerations: Mapping[str, Sequence[str]], where: str) -> list[str]:
    choices: list[Sequence[str]] = []
    for part in fstring.values:
        if isinstance(part, ast.Constant):
            choices.append([str(part.value)])
        else:
            assert isinstance(part, ast.FormattedValue)
            expression = ast.unparse(part.value)
            if expression not in enumerations:
                raise AssertionError(f"{where}: translation key built from {{{expression}}}; add the values it can "
                                     "take to ENUMERATIONS in tests/test_i18n.py")
            choices.append(enumerations[expression])
    return ["".join(combination) for combination in product(*choices)]


def used_keys() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in SCANNED:
        for path in sorted((REPO / package).rglob("*.py")):
            relative = path.relative_to(REPO).as_posix()
            for key, where in keys_in(path.read_text(encoding="utf-8"), relative, ENUMERATIONS):
                found.setdefault(key, where)
    return found


@pytest.fixture(scope="module")
def catalogues() -> dict[str, dict[str, str]]:
    return {locale: read_catalogue(path) for locale, path in CATALOGUES.items()}


def test_there_is_a_catalogue_for_every_supported_language() -> None:
    assert set(CATALOGUES) == set(SUPPORTED)
    assert all(path.is_file() for path in CATALOGUES.values()), CATALOGUES


def test_both_catalogues_have_exactly_the_same_keys(catalogues: dict[str, dict[str, str]]) -> None:
    en, zh = set(catalogues["en"]), set(catalogues["zh-CN"])
    assert len(en) > 10
    assert en == zh, f"only in English: {sorted(en - zh)}; only in Chinese: {sorted(zh - en)}"


def test_no_key_appears_twice_in_a_catalogue() -> None:
    # Babel keeps one of two equal msgids without a word, so one translation would silently vanish.
    for locale, path in CATALOGUES.items():
        ids = re.findall(r'^msgid "(.+)"$', path.read_text(encoding="utf-8"), flags=re.MULTILINE)
        assert ids, path
        assert len(ids) == len(set(ids)), (locale, sorted({i for i in ids if ids.count(i) > 1}))


def test_no_translation_is_empty(catalogues: dict[str, dict[str, str]]) -> None:
    empty = [f"{locale}: {key}" for locale, messages in catalogues.items()
             for key, text in messages.items() if not text.strip()]
    assert not empty, f"empty msgstr: {empty}"


def test_each_key_has_the_same_placeholders_in_both_languages(catalogues: dict[str, dict[str, str]]) -> None:
    different = {key: (placeholders(text), placeholders(catalogues["zh-CN"].get(key, "")))
                 for key, text in catalogues["en"].items()
                 if placeholders(text) != placeholders(catalogues["zh-CN"].get(key, ""))}
    assert not different, f"placeholders differ (English, Chinese): {different}"
    assert placeholders(catalogues["en"]["hazard.reported.modal_body"]) == {"reference", "department"}


def test_every_key_the_code_uses_is_in_the_catalogue(catalogues: dict[str, dict[str, str]]) -> None:
    used = used_keys()
    # Positive controls: a plain key, keys expanded from f-strings, and an error key raised by the domain.
    assert {"hazard.modal.title", "category.infosec", "hazard.leader.headline", "error.safety_only"} <= set(used)
    missing = {key: where for key, where in used.items() if key not in catalogues["en"]}
    assert not missing, f"keys used in the code but missing from the catalogues: {missing}"


def test_the_key_scan_finds_literals_f_strings_and_error_keys() -> None:
    source = (
        "title = t('a.title', locale)\n"
        "headline = t(f'x.{who}.headline', locale)\n"
        "raise NotAllowed('error.not_yours')\n"
        "label = 'error: not a key'\n"
    )
    found = dict(keys_in(source, "m.py", {"who": ("one", "two")}))
    assert found == {"a.title": "m.py:1", "x.one.headline": "m.py:2", "x.two.headline": "m.py:2",
                     "error.not_yours": "m.py:3"}
    with pytest.raises(AssertionError, match=r"\{kind\}.*ENUMERATIONS"):
        list(keys_in("t(f'x.{kind}', locale)", "m.py", {}))


def test_every_placeholder_is_filled_when_rendering(catalogues: dict[str, dict[str, str]]) -> None:
    for locale in SUPPORTED:
        for key, text in catalogues[locale].items():
            names = placeholders(text)
            rendered = t(key, locale, **{name: f"<{name}>" for name in names})
            assert all(f"<{name}>" in rendered for name in names), (locale, key)


@pytest.mark.parametrize(("slack_locale", "default", "expected"), [
    ("zh-CN", "en", "zh-CN"),
    ("zh-TW", "en", "zh-CN"),
    ("zh", "en", "zh-CN"),
    ("en-US", "zh-CN", "en"),
    ("en-GB", "zh-CN", "en"),
    ("ja-JP", "zh-CN", "zh-CN"),
    ("ja-JP", "en", "en"),
    (None, "zh-CN", "zh-CN"),
])
def test_slack_locales_map_onto_our_languages(slack_locale: str | None, default: str, expected: str) -> None:
    assert normalize(slack_locale, default) == expected
