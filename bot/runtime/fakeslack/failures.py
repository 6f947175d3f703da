"""Failure injection: scripted HTTP errors, 429s, ok:false answers, timeouts, delays and rate limits.

The outbox's retry and "maybe delivered" logic is only as good as the failures it was tested against,
so each kind Slack really produces can be scripted per method.
"""

from __future__ import annotations

import random
from collections import deque

from bot.runtime.fakeslack.records import (
    ACTED_ERROR,
    CUT,
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

    def cut(self, method: str, times: int = 1) -> None:
        """Next ``times`` calls take effect, then their answer breaks off halfway: the connection closes after
        half of the body its Content-Length announced, as a dropped line or a restarted proxy leaves it."""
        self._push(method, Script("cut"), times)

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

    def rate_limit_channel(self, channel: str, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` posts/updates to ``channel`` answer 429 with ``Retry-After: retry_after``
        (Slack limits each conversation to about one message a second); other conversations go on."""
        self._push_channel(channel, Script("rate_limit", retry_after=retry_after), times, 0)

    def fail_channel(self, channel: str, *, status: int | None = None, error: str | None = None,
                     times: int = 1, after: int = 0) -> None:
        """Let ``after`` posts/updates to ``channel`` through, then fail the next ``times``: HTTP ``status``,
        or HTTP 200 ``{"ok": false, "error": error}`` (e.g. ``internal_error``)."""
        if (status is None) == (error is None):
            raise ValueError("give exactly one of status and error")
        script = Script("fail", status=status) if status is not None else Script("error", error=str(error))
        self._push_channel(channel, script, times, after)

    def _push_channel(self, channel: str, script: Script, times: int, after: int) -> None:
        if times < 1 or after < 0:
            raise ValueError("times must be >= 1 and after >= 0")
        with self._cond:
            queue = self._channel_scripts.setdefault(resolve_channel(channel), deque())
            queue.extend([None] * after + [script] * times)

    def chaos(self, method: str, *, http_500: float = 0.0, lost: float = 0.0, ratelimited: float = 0.0,
              internal_error: float = 0.0, lost_seconds: float = 2.0, seed: int = 0) -> None:
        """Random faults on every call to ``method``, deterministic per ``seed``: HTTP 500 (not acted on),
        a lost answer (acted on, answered after ``lost_seconds``, past the client's timeout), 429s, and
        ``internal_error`` answers given after the call was carried out (Slack says that can happen)."""
        with self._cond:
            if http_500 + lost + ratelimited + internal_error <= 0:
                self._chaos.pop(method, None)
            else:
                self._chaos[method] = (http_500, lost, ratelimited, internal_error, lost_seconds, random.Random(seed))

    def _channel_script(self, method: str, params: JsonDict) -> Script | None:
        """The scripted answer for this post's conversation, if any (lock held)."""
        if method not in ("chat.postMessage", "chat.update"):
            return None
        queue = self._channel_scripts.get(resolve_channel(str(params.get("channel") or "")))
        return queue.popleft() if queue else None

    def _chaos_script(self, method: str) -> Script | None:
        chance = self._chaos.get(method)
        if chance is None:
            return None
        http_500, lost, ratelimited, internal_error, lost_seconds, rng = chance
        roll = rng.random()
        if roll < http_500:
            return Script("fail", status=500)
        if roll < http_500 + lost:
            return Script("timeout", seconds=lost_seconds, processed=True)
        if roll < http_500 + lost + ratelimited:
            return Script("rate_limit", retry_after=1)
        if roll < http_500 + lost + ratelimited + internal_error:
            return Script("acted_error", error="internal_error")
        return None

    # ------------------------------------------------------------------ deciding an answer (lock held)

    def _decide(self, method: str, params: JsonDict, call: Call, script: Script | None) -> Answer:
        if script is not None and script.kind == "fail":
            call.outcome, call.status = HTTP_ERROR, script.status
            return Answer(script.status, f"fake slack: HTTP {script.status}\n".encode(), "text/plain")
        if script is not None and script.kind == "rate_limit":
            return self._ratelimited(call, script.retry_after)
        if script is not None and script.kind == "error":
            return self._json(call, {"ok": False, "error": script.error})
        if script is not None and script.kind == "acted_error":
            done = self._process(method, params)
            answer = self._json(call, {"ok": False, "error": script.error})
            if done.get("ok"):
                call.outcome = ACTED_ERROR
            return answer
        if script is not None and script.kind == "cut":
            answer = self._json(call, self._process(method, params))
            if call.outcome == OK:
                call.outcome = CUT
            answer.cut = True
            return answer
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
