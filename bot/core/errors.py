"""Expected outcomes that are not success: shown to the person kindly, never logged as crashes."""

from __future__ import annotations

from bot.core.text import tidy


def text_problem(value: str, limit: int, too_long: str = "error.too_long_text") -> str | None:
    """The translation key of what is wrong with a required text a person typed, or None. Text of only
    invisible characters is blank (`bot.core.text`)."""
    text = tidy(value)
    if not text:
        return "error.blank"
    return too_long if len(text) > limit else None


def long_text_problem(value: str, limit: int, too_long: str = "error.too_long_text") -> str | None:
    """The same for an optional text: only its length can be wrong."""
    return too_long if len(tidy(value)) > limit else None


class DomainError(Exception):
    """Carries a translation key; the Slack layer renders it in the person's language."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class InvalidInput(DomainError):
    """Bad input, field by field: {field name: translation key}."""

    def __init__(self, fields: dict[str, str], field_params: dict[str, dict[str, object]] | None = None) -> None:
        super().__init__("error.invalid_input")
        self.fields = fields
        self.field_params = field_params or {}  # what a field's message names ({"deadline": {"most": 365}})


class NotAllowed(DomainError):
    pass


class NotFound(DomainError):
    pass


class WrongState(DomainError):
    """The step does not fit the case's current state (already taken, or not yet possible)."""


class Conflict(DomainError):
    """Someone else changed the case at the same moment; this step was not taken."""
