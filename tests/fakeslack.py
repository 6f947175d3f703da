"""The fake Slack Web API now lives in the package (``bot.runtime.fakeslack``) so the installed
``safetybot demo`` can use it; this name stays so existing tests and benchmarks keep their imports."""

from bot.runtime.fakeslack import (
    DELIVERED,
    ERROR,
    HTTP_ERROR,
    OK,
    RATELIMITED,
    TIMEOUT,
    TIMEOUT_UNPROCESSED,
    Call,
    FakeSlack,
    validate_block_kit,
)

__all__ = [
    "DELIVERED",
    "ERROR",
    "HTTP_ERROR",
    "OK",
    "RATELIMITED",
    "TIMEOUT",
    "TIMEOUT_UNPROCESSED",
    "Call",
    "FakeSlack",
    "validate_block_kit",
]
