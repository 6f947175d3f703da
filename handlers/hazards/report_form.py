"""The report form as the JSON `views.open` sends, built once per language and department.

`/hazard` is the command people type most, and its modal must open fast: building the form's blocks and
serialising them took about a tenth of a millisecond of each command's way to its modal. Everything in
the form but the pre-filled description and the private metadata depends only on the person's language
and department, so that JSON is made once (by `build_report_modal`, the one definition of the form) and
each command fills in its two values, escaped as JSON strings. It goes into `views.open`'s JSON body as
it is (`handlers.core.connections.post_json`), not serialised a second time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.core.org import Department
from bot.core.text import Limits
from handlers.hazards.views import build_report_modal

# Stand-ins for the two values in the built form: NUL cannot come from a translation or a department's name.
_DESCRIPTION, _METADATA = "\x00description\x00", "\x00private_metadata\x00"
_HOLES = {json.dumps(_DESCRIPTION)[1:-1]: "description", json.dumps(_METADATA)[1:-1]: "private_metadata"}


class ReportForms:
    """The form's JSON in pieces, per (language, department, pre-filled or not): the org's departments are
    fixed while the bot runs, so there are at most four per department."""

    def __init__(self, departments: Sequence[Department]) -> None:
        self._departments = list(departments)
        self._pieces: dict[tuple[str, str | None, bool], list[tuple[str | None, str]]] = {}

    def json(self, *, locale: str, department_key: str | None, description: str, private_metadata: str) -> str:
        """The same view as `build_report_modal(...)` with these arguments, as JSON text."""
        prefilled = bool(description.strip())
        key = (locale, department_key, prefilled)
        pieces = self._pieces.get(key)
        if pieces is None:  # two threads may both build it: the same pieces, so either may stay
            pieces = self._pieces[key] = _split(json.dumps(build_report_modal(
                locale=locale, departments=self._departments, department_key=department_key,
                description=_DESCRIPTION if prefilled else "", private_metadata=_METADATA)))
        values = {"description": description[:Limits.DESCRIPTION], "private_metadata": private_metadata}
        return "".join(json.dumps(values[hole])[1:-1] if hole else text for hole, text in pieces)


def _split(text: str) -> list[tuple[str | None, str]]:
    """`text` cut at the stand-ins: (None, literal text) and (name of the value, "")."""
    pieces: list[tuple[str | None, str]] = []
    while True:
        found = [(text.find(hole), hole) for hole in _HOLES if hole in text]
        if not found:
            return [*pieces, (None, text)]
        at, hole = min(found)
        pieces += [(None, text[:at]), (_HOLES[hole], "")]
        text = text[at + len(hole):]
