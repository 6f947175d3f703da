"""Text a person typed, cleaned before it is stored, and how long each kind of text may be.

Why cleaning: a NUL byte cannot be stored by PostgreSQL at all (the report failed with only an apology),
other control characters and lone surrogates break exports and logs, bidi overrides (U+202E) make a line
read differently from what it says, and a name of only zero-width spaces looks blank to a person but not to
`str.strip`. So every entry point (the modals' form parsing, the plan import, a message saved to a timeline)
passes text through `clean`, and every required-text check uses `is_blank`.

Why the limits live here: the use cases refuse longer text and the forms ask Slack for the same
`max_length`, so the two never disagree (they did: names and immediate actions accepted 40,000 characters).
"""

from __future__ import annotations

import unicodedata
from typing import Final

# Format characters that reorder or hide text: bidi embeddings, overrides and isolates, the marks.
_BIDI: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters with no use in a safety report; dropped wherever they are.
_DROPPED: Final = frozenset("\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\ufff9\ufffa\ufffb")
# Invisible characters that may belong inside text (joiners in emoji, fillers in Hangul) but are no text alone.
_INVISIBLE: Final = frozenset("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u200c\u200d\u2800\u3164\uffa0")
_KEPT_CONTROLS: Final = frozenset("\n\t")


def _dropped(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ((category == "Cc" and ch not in _KEPT_CONTROLS) or category == "Cs" or ch in _BIDI or ch in _DROPPED)


def clean(text: str) -> str:
    """`text` without control characters (newlines and tabs stay; a CR becomes a newline), lone surrogates,
    bidi controls and zero-width spaces. Leaves everything a person can see exactly as typed."""
    if not isinstance(text, str):
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if not _dropped(ch))


def is_blank(text: str) -> bool:
    """Nothing a person could read: only spaces, line breaks and invisible characters."""
    return all(ch.isspace() or ch in _INVISIBLE or _dropped(ch) or unicodedata.category(ch) == "Cf" for ch in text)


def tidy(text: str) -> str:
    """`clean`, without surrounding white space; "" when nothing readable is left."""
    cleaned = clean(text).strip()
    return "" if is_blank(cleaned) else cleaned


class Limits:
    """Characters each kind of typed text may have; the forms' `max_length` and the use cases' checks."""

    LOCATION: Final = 200
    DESCRIPTION: Final = 3000
    REASON: Final = 1000
    MEASURES: Final = 3000
    NOTE: Final = 3000
    NAMES: Final = 500  # the injured people's names
    IMMEDIATE_ACTIONS: Final = 3000
    COUNT: Final = 5  # digits of a count (people injured)
    AUTHORITY: Final = 200
    AUTHORITY_NUMBER: Final = 100
    ROOT_CAUSE: Final = 3000
    LESSONS: Final = 3000
    PLAN_TITLE: Final = 150
    PLAN_DETAILS: Final = 3000
    PLAN_RULE: Final = 400
    PLAN_NOTES: Final = 3000
    DEPARTMENT_KEY: Final = 64  # the org file's department keys: stored with each case (String(64))
    DEPARTMENT_NAME: Final = 100  # the org file's department names (Slack shows 75 in a picker: clipped there)
