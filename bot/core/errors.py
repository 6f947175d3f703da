"""Expected outcomes that are not success: shown to the person kindly, never logged as crashes."""

from __future__ import annotations


def text_problem(value: str, limit: int, too_long: str = "error.too_long_text") -> str | None:
    """The translation key of what is wrong with a required text a person typed, or None."""
    text = value.strip()
    if not text:
        return "error.blank"
    return too_long if len(text) > limit else None


class DomainError(Exception):
    """Carries a translation key; the Slack layer renders it in the person's language."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class InvalidInput(DomainError):
    """Bad input, field by field: {field name: translation key}."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("error.invalid_input")
        self.fields = fields


class NotAllowed(DomainError):
    pass


class NotFound(DomainError):
    pass


class WrongState(DomainError):
    """The step does not fit the case's current state (already taken, or not yet possible)."""


class Conflict(DomainError):
    """Someone else changed the case at the same moment; this step was not taken."""
