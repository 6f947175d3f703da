"""An incident channel's lines name who acted (as typed, learned before the transaction) instead of pinging
them: only the next actor is pinged."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.incidents.contexts import IncidentLine
from handlers.incidents.views import build_incident_line
from tests.helpers import typed_as_typed

AT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
NAME = "*Wang* <!channel>"


def line(**fields: object) -> IncidentLine:
    return IncidentLine(reference="INC-2026-0001", kind="fire", status="closed", occurred_at=AT, reported_at=AT,
                        location="Hall 3", description="Smoke", injured=0, injured_names="", immediate_actions="",
                        reporter="U0EMP1", department=None, confidential=False, urgent=False,
                        timezone="Asia/Shanghai", recipient="C0INC", actor="U0SAFE1", **fields)  # type: ignore[arg-type]


def test_a_line_that_knows_its_actors_name_names_them_as_typed_and_pings_nobody() -> None:
    for kind in ("closed", "authority_reported"):
        for locale in ("en", "zh-CN"):
            built = build_incident_line(line(line=kind, actor_name=NAME, opened=["HZ-2026-0001"]), locale)
            assert "U0SAFE1" not in str(built)
            assert NAME in typed_as_typed(built["blocks"])
            assert "<!channel>" not in built["text"]  # the notification text escapes it


def test_a_line_without_a_name_still_says_who() -> None:
    built = build_incident_line(line(line="closed", opened=["HZ-2026-0001"]), "en")
    assert {"type": "user", "user_id": "U0SAFE1"} in built["blocks"][0]["elements"][0]["elements"]
