"""Translations: gettext catalogues (`bot/locales/<lang>/LC_MESSAGES/messages.po`) read with Babel.

Message ids are stable keys (`hazard.modal.title`), so a wording change in one language never breaks
the other. The catalogues are read once, straight from the .po files: no compile step to forget.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED = ("zh-CN", "en")
_DIRS = {"zh-CN": "zh_CN", "en": "en"}


def normalize(slack_locale: str | None, default: str) -> str:
    """Map a Slack locale (`zh-CN`, `zh-TW`, `en-GB`, `ja-JP`...) onto a language we have."""
    if slack_locale:
        lang = slack_locale.replace("_", "-").split("-")[0].lower()
        if lang == "zh":
            return "zh-CN"
        if lang == "en":
            return "en"
    return default if default in SUPPORTED else "en"


@cache
def catalog(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / _DIRS[locale] / "LC_MESSAGES" / "messages.po").open("rb") as f:
        po = read_po(f, locale=_DIRS[locale])
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


def t(key: str, locale: str, /, **params: object) -> str:
    """The text for `key` in `locale`, falling back to English, then to the key itself."""
    text = catalog(locale if locale in SUPPORTED else "en").get(key) or catalog("en").get(key) or key
    return text.format(**params) if params else text
