"""Failure injection: scripted HTTP errors, 429s, ok:false answers, timeouts, delays and rate limits.

The outbox's retry and "maybe delivered" logic is only as good as the failures it was tested against,
so each kind Slack really produces can be scripted per method.
"""

from __future__ import annotations

import random
from collections import deque

from bot.runtime.fakeslack.records import (
    ERROR,
    HTTP_ERROR,
    OK,
    RATELIMITED,
    TIMEOUT,
    TIMEOUT_UNPROCESSED,
    Answer,
    Bucket,
    Call,
    JsonDict,
    Script,
    json_bytes,
    resolve_channel,
)
from bot.runtime.fakeslack.state import State


class FailureInjection(State):
    def set_channel_error(self, channel: str, error: str | None) -> None:
        """Posts/updates to ``channel`` (C…, D…, or a user id meaning its DM) answer ok:false ``error``.

        ``None`` clears it.
        """
        with self._cond:
            key = resolve_channel(channel)
            if error is None:
                self._channel_errors.pop(key, None)
            else:
                self._channel_errors[key] = error

    def _push(self, method: str, script: Script, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._cond:
            queue = self._scripts.setdefault(method, deque())
            for _ in range(times):
                queue.append(script)

    def fail(self, method: str, status: int = 500, times: int = 1) -> None:
        """Next ``times`` calls to ``method`` answer HTTP ``status`` with a short text body."""
        self._push(method, Script("fail", status=status), times)

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Next ``times`` calls answer 429 + ``Retry-After`` + ``{"ok": false, "error": "ratelimited"}``."""
        self._push(method, Script("rate_limit", retry_after=retry_after), times)

    def error(self, method: str, error: str = "channel_not_found", times: int = 1) -> None:
        """Next ``times`` calls answer HTTP 200 ``{"ok": false, "error": error}``."""
        self._push(method, Script("error", error=error), times)

    def timeout(self, method: str, seconds: float = 2.0, times: int = 1, processed: bool = True) -> None:
        """Next ``times`` calls are answered only after ``seconds``.

        With ``processed=True`` the call takes effect first (message stored, outcome ``"timeout"``) and the
        late answer is the real one; otherwise nothing happens and the late answer is HTTP 504.
        """
        self._push(method, Script("timeout", seconds=seconds, processed=processed), times)

    def delay(self, method: str, seconds: float) -> None:
        """Every call to ``method`` answers after ``seconds`` (0 clears)."""
        with self._cond:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

    def set_rate_limit(self, method: str, per_second: float | None) -> None:
        """Token bucket (burst = max(1, per_second)); calls over it answer 429 with Retry-After 1."""
        with self._cond:
            if per_second is None or per_second <= 0:
                self._buckets.pop(method, None)
            else:
                capacity = max(1.0, per_second)
                self._buckets[method] = Bucket(per_second, capacity, capacity)

    def random_429(self, method: str, probability: float, seed: int = 0) -> None:
        """Each call answers 429 (Retry-After 1) with ``probability`` (deterministic per ``seed``)."""
        with self._cond:
            if probability <= 0:
                self._random_429.pop(method, None)
            else:
                self._random_429[method] = (probability, random.Random(seed))

    # ------------------------------------------------------------------ deciding an answer (lock held)

    def _decide(self, method: str, params: JsonDict, call: Call, script: Script | None) -> Answer:
        if script is not None and script.kind == "fail":
            call.outcome, call.status = HTTP_ERROR, script.status
            return Answer(script.status, f"fake slack: HTTP {script.status}\n".encode(), "text/plain")
        if script is not None and script.kind == "rate_limit":
            return self._ratelimited(call, script.retry_after)
        if script is not None and script.kind == "error":
            return self._json(call, {"ok": False, "error": script.error})
        if script is not None and script.kind == "timeout":
            if not script.processed:
                call.outcome, call.status = TIMEOUT_UNPROCESSED, 504
                return Answer(504, b"fake slack: gateway timeout\n", "text/plain", sleep=script.seconds)
            answer = self._json(call, self._process(method, params))
            if call.outcome == OK:
                call.outcome = TIMEOUT
            answer.sleep = script.seconds
            return answer
        bucket = self._buckets.get(method)
        if bucket is not None and not bucket.take():
            return self._ratelimited(call, 1)
        chance = self._random_429.get(method)
        if chance is not None and chance[1].random() < chance[0]:
            return self._ratelimited(call, 1)
        return self._json(call, self._process(method, params))

    @staticmethod
    def _ratelimited(call: Call, retry_after: int) -> Answer:
        data = {"ok": False, "error": "ratelimited"}
        call.outcome, call.status, call.error, call.response = RATELIMITED, 429, "ratelimited", data
        return Answer(429, json_bytes(data), headers={"Retry-After": str(retry_after)})

    @staticmethod
    def _json(call: Call, data: JsonDict) -> Answer:
        call.response = data
        if data.get("ok"):
            call.outcome = OK
        else:
            call.outcome, call.error = ERROR, str(data.get("error"))
        return Answer(200, json_bytes(data))
