"""Element states inside ``view.state.values``, as Slack fills them in when a modal is submitted."""

from __future__ import annotations

from typing import Any

from bot.runtime.slack_requests.common import TEAM_ID, option


def plain_text(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def static_select(value: str | None, text: str | None = None) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": None if value is None else option(value, text)}


def checkboxes(values: list[str]) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [option(v, text_type="mrkdwn") for v in values]}


def file_input(files: list[dict[str, Any] | str]) -> dict[str, Any]:
    """Files as Slack describes them; a bare string is taken as a file id."""
    out = []
    for f in files:
        if isinstance(f, str):
            f = {
                "id": f,
                "name": f"{f}.jpg",
                "title": f"{f}.jpg",
                "mimetype": "image/jpeg",
                "filetype": "jpg",
                "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{f}/{f}.jpg",
            }
        out.append(f)
    return {"type": "file_input", "files": out}


def users_select(user: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user}


def datepicker(date_str: str | None) -> dict[str, Any]:
    return {"type": "datepicker", "selected_date": date_str}


