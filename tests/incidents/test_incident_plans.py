"""The emergency plans' checklists are data a company can edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.org import Org
from bot.incidents.checklists import load_incident_plans
from bot.incidents.model import IncidentType, ReportIncident
from bot.incidents.usecases import report_incident
from tests.fakes import FakeUnitOfWork


def test_every_type_has_a_shipped_checklist_in_both_languages() -> None:
    plans = load_incident_plans()
    assert set(plans) == set(IncidentType)
    assert all(items and all(i.en and i.zh for i in items) for items in plans.values())
    assert any("119" in item.en for item in plans[IncidentType.FIRE])


def test_a_company_file_replaces_the_shipped_checklists_and_types_it_leaves_out_use_other(tmp_path: Path) -> None:
    path = tmp_path / "plans.yml"
    path.write_text("fire:\n  - {en: Ring the bell, zh: 按铃}\nother:\n  - {en: Call the guard, zh: 呼叫保安}\n",
                    encoding="utf-8")
    plans = load_incident_plans(path)
    assert [i.en for i in plans[IncidentType.FIRE]] == ["Ring the bell"]
    assert [i.en for i in plans[IncidentType.INJURY]] == ["Call the guard"]


def test_the_incident_gets_the_company_s_checklist(tmp_path: Path, org: Org) -> None:
    path = tmp_path / "plans.yml"
    path.write_text("other:\n  - {en: Call the guard, zh: 呼叫保安}\n", encoding="utf-8")
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    incident = report_incident(
        ReportIncident(reporter_id="U0EMP1", kind=IncidentType.FIRE, occurred_at=now - timedelta(minutes=5),
                       location="Lobby", description="Smoke"),
        uow=FakeUnitOfWork(), org=org, clock=lambda: now, checklists=load_incident_plans(path))
    assert [(i["en"], i["zh"], i["done_by"]) for i in incident.checklist] == [("Call the guard", "呼叫保安", None)]


@pytest.mark.parametrize("text", ["fire: [{en: x}]\nother: [{en: y, zh: z}]\n", "fire: [{en: x, zh: y}]\n",
                                  "volcano: [{en: x, zh: y}]\nother: [{en: y, zh: z}]\n", "fire: [\n"])
def test_a_broken_file_is_refused_with_its_name(tmp_path: Path, text: str) -> None:
    path = tmp_path / "plans.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"plans\.yml"):
        load_incident_plans(path)


def test_which_types_are_production_safety_accidents_is_data_in_the_plans_file(tmp_path: Path) -> None:
    from bot.incidents.checklists import load_reporting_rules

    shipped = load_reporting_rules()
    assert IncidentType.NETWORK_SECURITY not in shipped.accidents and IncidentType.FIRE in shipped.accidents
    path = tmp_path / "plans.yml"
    path.write_text("reporting:\n  accidents: [injury]\n  follow_up: {default: 20d}\n"
                    "other:\n  - {en: Call the guard, zh: 呼叫保安}\n", encoding="utf-8")
    rules = load_reporting_rules(path)
    assert rules.follow_up_for(IncidentType.FIRE) is None
    assert rules.follow_up_for(IncidentType.INJURY).delta == timedelta(days=20)  # type: ignore[union-attr]
    assert set(load_incident_plans(path)) == set(IncidentType)  # the section is not a checklist
    path.write_text("reporting:\n  follow_up: {fires: 7d}\nother:\n  - {en: a, zh: b}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown incident type 'fires'"):
        load_reporting_rules(path)
    path.write_text("other:\n  - {en: a, zh: b}\n", encoding="utf-8")
    assert load_reporting_rules(path) == shipped  # a company file without the section: the defaults
