"""The demo's hands: people type commands, press the buttons on the messages they got and fill in modals,
all as signed HTTP requests to the real bot; then the demo waits until the outbox has delivered."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from bot.runtime.app import Runtime
from bot.runtime.demo.cast import DemoClock
from bot.runtime.fakeslack import Call, FakeSlack
from bot.runtime.slack_requests import SlackSender

JsonDict = dict[str, Any]
SHOWN_METHODS = ("chat.postMessage", "chat.update", "response_url", "views.open")


class DemoError(RuntimeError):
    """The bot did not answer as a person would expect; the demo stops and says what was missing."""


@dataclass
class Stage:
    fake: FakeSlack
    runtime: Runtime
    slack: SlackSender
    clock: DemoClock
    mark: int = 0  # where in fake.calls the current step began

    def begin(self) -> None:
        self.mark = len(self.fake.calls)

    def since(self) -> list[Call]:
        """What the bot sent to Slack since the step began, as far as people see it."""
        return [c for c in self.fake.calls[self.mark:] if c.method in SHOWN_METHODS and c.ok]

    def command(self, user: str, command: str, argument: str = "") -> JsonDict:
        """Type a slash command that opens a modal; returns the modal."""
        before = len(self.fake.calls_to("views.open"))
        answer = self.slack.command(command, argument, user_id=user)
        if answer.status_code != 200:
            raise DemoError(f"{command} answered HTTP {answer.status_code}")
        return self.fake.wait_for("views.open", count=before + 1)[-1].params["view"]

    def submit(self, user: str, view: JsonDict, values: JsonDict) -> JsonDict:
        answer = self.slack.submit_view(user_id=user, callback_id=view["callback_id"], values=values,
                                        private_metadata=view["private_metadata"])
        if answer.status_code != 200:
            raise DemoError(f"submitting {view['callback_id']} answered HTTP {answer.status_code}")
        body: JsonDict = answer.json() if answer.content else {}
        if body.get("response_action") == "errors":
            raise DemoError(f"the modal {view['callback_id']} refused the input: {body['errors']}")
        return body

    def message_with(self, where: str, action_id: str) -> JsonDict:
        """The newest message in a channel or DM (thread replies included) offering this button."""
        for message in reversed(self.fake.messages(where)):
            if _button(message, action_id) is not None:
                return message
        raise DemoError(f"no message in {where} offers {action_id}")

    def press(self, user: str, where: str, action_id: str) -> JsonDict:
        """Press a button on a message; returns {'view': …} when a modal opened, {'reply': …} otherwise."""
        message = self.message_with(where, action_id)
        element = _button(message, action_id)
        assert element is not None
        opened, replied = len(self.fake.calls_to("views.open")), len(self.fake.calls_to("response_url"))
        answer = self.slack.click(user_id=user, action_id=action_id, value=element.get("value"),
                                  channel_id=message["channel"], message_ts=message["ts"])
        if answer.status_code != 200:
            raise DemoError(f"pressing {action_id} answered HTTP {answer.status_code}")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            views, replies = self.fake.calls_to("views.open"), self.fake.calls_to("response_url")
            if len(views) > opened:
                return {"view": views[-1].params["view"]}
            if len(replies) > replied:
                return {"reply": replies[-1].params}
            time.sleep(0.01)
        raise DemoError(f"nothing came back to {user} pressing {action_id}")

    def settle(self, *, posts: bool = True, quiet: float = 0.15, timeout: float = 8.0) -> None:
        """Wait until the outbox has nothing pending and Slack has heard nothing new for a moment.

        With ``posts`` (every step but creating a plan) also until the step's first message went out, so a
        use case still committing after the HTTP answer is not mistaken for a quiet outbox.
        """
        deadline = time.monotonic() + timeout
        seen, still_since = -1, time.monotonic()
        while time.monotonic() < deadline:
            count = len(self.fake.calls)
            posted = not posts or any(c.method == "chat.postMessage" for c in self.since())
            if count != seen:
                seen, still_since = count, time.monotonic()
            elif posted and time.monotonic() - still_since >= quiet and self._pending() == 0:
                return
            time.sleep(0.02)
        raise DemoError("the outbox did not drain in time")

    def _pending(self) -> int:
        with self.runtime.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'")).scalar_one())


def _button(message: JsonDict, action_id: str) -> JsonDict | None:
    for block in message.get("blocks") or []:
        elements = list(block.get("elements") or []) + ([block["accessory"]] if "accessory" in block else [])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    return None
