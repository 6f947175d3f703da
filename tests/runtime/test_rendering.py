"""Every outbox template and every view, rendered in both languages for every state a case can be in.

A message is rendered when it is sent, long after the step that queued it; one that raises there is retried
for ever and nobody hears of it. So each template (the registry the running bot assembles) and each `build_*`
view is rendered here from the samples in `tests/render_samples.py`, and what it gives Slack is checked:
blocks parse with `slack_sdk.models` within Slack's limits, and no text shows an untranslated key, a
`{placeholder}` left unfilled or a typed-text hole. A template or view without samples fails the test.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Collection, Iterator
from typing import Any

import pytest

import handlers
from bot.core.delivery import _CAUSES, NOTICE_TEMPLATE, render_notice
from bot.core.i18n import SUPPORTED, catalog
from bot.core.ports import POST
from bot.runtime.app import templates
from bot.runtime.fakeslack.blockkit import check_message_blocks, check_view
from handlers.core.render import BlockKitRenderer
from tests.render_samples import TEMPLATE_SAMPLES, views

RENDERER = BlockKitRenderer(templates())
REGISTERED = {template.name: template for template in templates()}
KEY = re.compile(r"(?<![\w.-])(?:" + "|".join(sorted({key.split(".")[0] for key in catalog("en")}))
                 + r")\.[a-z0-9_]+(?:\.[a-z0-9_]+)*(?![\w-])")
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")
CODE = re.compile(r"(?<![\w.:/-])[a-z]+(?:_[a-z]+)+(?![\w.:/-])")  # a value's code (plan_started) shown for its words
VISIBLE = ("text", "content", "title", "name")  # the keys whose string values a person reads
TEXT_MAX = 4000  # a message's notification text: Slack truncates long ones


def visible(node: Any) -> Iterator[str]:
    """Every string a person may read in a Web API payload (texts, labels, titles, file content)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and key in VISIBLE:
                yield value
            elif isinstance(value, dict | list):
                yield from visible(value)
    elif isinstance(node, list):
        for item in node:
            yield from visible(item)


def check_words(payload: dict[str, Any], where: str, quoted: Collection[str] = ()) -> None:
    """No raw key, unfilled placeholder, typed-text hole or code; `quoted`: Slack error codes shown on purpose."""
    for text in visible(payload):
        assert not (found := KEY.findall(text)), f"{where}: untranslated key {found} in {text[:200]!r}"
        assert not (found := PLACEHOLDER.findall(text)), f"{where}: unfilled {found} in {text[:200]!r}"
        assert "\x00" not in text, f"{where}: a typed-text hole left in {text[:200]!r}"
        codes = set(CODE.findall(text)) - set(quoted)
        assert not codes, f"{where}: a code instead of words {codes} in {text[:200]!r}"


def check_message(payload: dict[str, Any], where: str, quoted: Collection[str] = ()) -> None:
    text = payload.get("text")
    assert isinstance(text, str) and text.strip(), f"{where}: a message needs its notification text"
    assert len(text) <= TEXT_MAX, f"{where}: notification text of {len(text)} characters"
    if "blocks" in payload:
        check_message_blocks(payload["blocks"], where)
    check_words(payload, where, quoted)


def template_cases() -> Iterator[Any]:
    for name, samples in TEMPLATE_SAMPLES.items():
        for label, context in samples():
            for locale in SUPPORTED:
                yield pytest.param(name, context, locale, id=f"{name}-{label}-{locale}")


def view_builders() -> dict[str, Any]:
    """Every module-level `build_*` function of the handlers package, by its dotted name."""
    found: dict[str, Any] = {}
    for module_info in pkgutil.walk_packages(handlers.__path__, "handlers."):
        module = importlib.import_module(module_info.name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("build_") and function.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = function
    return found


NOT_VIEWS = {"handlers.core.http.build_asgi"}  # the HTTP app, not Block Kit


def test_every_template_has_samples_and_every_sample_a_template() -> None:
    assert {"hazard.card", "incident.line", "plan.reminder", "scheduling.set_aside"} <= set(REGISTERED)
    missing = sorted(set(REGISTERED) - set(TEMPLATE_SAMPLES))
    assert not missing, f"templates without samples (add them to tests/render_samples.py): {missing}"
    assert not set(TEMPLATE_SAMPLES) - set(REGISTERED), "samples of templates that no longer exist"


def test_every_view_builder_has_samples() -> None:
    as_templates = {f"{t.build.__module__}.{t.build.__name__}" for t in REGISTERED.values()}
    builders = set(view_builders()) - as_templates - NOT_VIEWS
    sampled = {builder for builder, _, _ in views()}
    assert "handlers.hazards.views.build_report_modal" in builders
    assert not (missing := sorted(builders - sampled)), f"views without samples (tests/render_samples.py): {missing}"
    assert not (gone := sorted(sampled - builders)), f"samples of views that no longer exist: {gone}"


@pytest.mark.parametrize(("name", "context", "locale"), list(template_cases()))
def test_every_template_renders_in_every_state(name: str, context: dict[str, Any], locale: str) -> None:
    rendered = RENDERER.render(name, context, locale)
    quoted = [str(context.get("error"))]  # a Slack error code a line quotes (name_taken)
    if REGISTERED[name].call is None:
        assert rendered.method == POST
        check_message(rendered.payload, name, quoted)
    else:
        assert rendered.method == REGISTERED[name].call
        check_words(rendered.payload, name, quoted)


@pytest.mark.parametrize("locale", SUPPORTED)
@pytest.mark.parametrize("error", [*_CAUSES, "something_new", ""])
def test_the_outbox_failure_notice_renders_for_every_cause(error: str, locale: str) -> None:
    rendered = render_notice({"conversation": "C0SAFETY", "error": error, "fixable": True}, locale)
    check_message(rendered.payload, f"{NOTICE_TEMPLATE}:{error}", quoted=[error])


@pytest.mark.parametrize("locale", SUPPORTED)
@pytest.mark.parametrize(("builder", "label", "build"),
                         [pytest.param(*case, id=f"{case[0].rsplit('.', 1)[1]}-{case[1]}") for case in views()])
def test_every_view_renders(builder: str, label: str, build: Any, locale: str) -> None:
    payload = build(locale)
    if payload.get("type") == "modal":
        check_view(payload, builder)
        check_words(payload, builder)
    else:
        check_message(payload, builder)


def test_the_checks_catch_what_they_are_for() -> None:
    """The checks fail on a raw key, a leftover placeholder, a code, too many blocks and an over-long header."""
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}
    bad: list[dict[str, Any]] = [
        {"text": "hazard.modal.title", "blocks": [section]},
        {"text": "Rectify by {deadline}", "blocks": [section]},
        {"text": "09:00 · plan_started · <@U1>", "blocks": [section]},
        {"text": "ok", "blocks": [section] * 51},
        {"text": "ok", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}]},
    ]
    for payload in bad:
        with pytest.raises(AssertionError):
            check_message(payload, "sample")
    check_message({"text": "Reported by <@U1> at 09:00 in org.yml", "blocks": [section]}, "sample")
