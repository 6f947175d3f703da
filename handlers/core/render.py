"""Turns an outbox message (template + context) into the Web API call that sends it, in one language.

The one registry of templates: each handlers feature contributes its `TEMPLATES` (a `Template` per name:
how to build it, and which Web API method sends it), and the composition root assembles them. A template
without `call` is a post (chat.postMessage; the outbox sends its updates as chat.update); one with a
`call` is sent with that method and its arguments passed as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from bot.core.ports import POST, Rendered, UnknownTemplate

Builder = Callable[[Any, str], dict[str, Any]]  # (typed context, locale) -> Web API arguments


@dataclass(frozen=True)
class Template:
    name: str
    build: Builder
    call: str | None = None  # a Web API method other than a post: conversations.create, pins.add, ...
    context: type[BaseModel] | None = None  # the typed context the stored JSON is read back into


def typed(contexts: Mapping[str, type[BaseModel]], *templates: Template) -> tuple[Template, ...]:
    """The templates, each reading its stored context back into the feature's model for its name."""
    missing = [t.name for t in templates if t.name not in contexts]
    if missing:
        raise ValueError(f"no typed context for {missing}")
    return tuple(replace(t, context=contexts[t.name]) for t in templates)


class BlockKitRenderer:
    def __init__(self, templates: Iterable[Template]) -> None:
        self._templates: dict[str, Template] = {}
        for template in templates:
            if template.name in self._templates:
                raise ValueError(f"template {template.name!r} is registered twice")
            self._templates[template.name] = template

    def render(self, template: str, context: dict[str, Any], locale: str) -> Rendered:
        entry = self._templates.get(template)
        if entry is None:
            raise UnknownTemplate(template)
        built = entry.build(entry.context.model_validate(context) if entry.context else context, locale)
        if entry.call is not None:
            return Rendered(entry.call, built)
        return Rendered(POST, {**built, "unfurl_links": False, "unfurl_media": False})
