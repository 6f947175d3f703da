"""Property-based: any sequence of steps by anyone leaves a case in a state the rules can reach,
with exactly one timeline event per accepted step and nothing changed by a refused one."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from bot.core.errors import DomainError
from bot.core.org import Org, parse_org
from bot.core.workdays import WorkCalendar
from bot.hazards.changes import StepInput
from bot.hazards.model import HazardCategory, HazardStatus, Severity, Step
from bot.hazards.rules import RULES
from bot.hazards.usecases import ReportHazard, report_hazard, take_step
from tests.conftest import ORG_YAML, USERS
from tests.fakes import FakeDirectory, FakeUnitOfWork

ORG: Org = parse_org(ORG_YAML)
CALENDAR = WorkCalendar.from_org(ORG)
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
PEOPLE = sorted(USERS)


def reachable() -> set[HazardStatus]:
    seen, todo = {HazardStatus.REPORTED}, deque([HazardStatus.REPORTED])
    while todo:
        status = todo.popleft()
        for rule in RULES.values():
            if status in rule.sources:
                target = rule.target or status
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
    return seen


REACHABLE = reachable()

def likely_actor(step: Step, hazard_assignee: str | None) -> list[str]:
    """People who hold a role the step needs (so that sequences get deep), and everyone else too."""
    department = ORG.department("cs1")
    assert department is not None
    return {Step.COMPLETE: [hazard_assignee or "U0EMP1"], Step.REQUEST_EXTENSION: [hazard_assignee or "U0EMP1"],
            Step.VERIFY: ORG.safety_department.members, Step.RETURN: ORG.safety_department.members}.get(
        step, department.leaders)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_sequence_of_steps_by_anyone_follows_the_rules(data: st.DataObject) -> None:
    uow = FakeUnitOfWork()
    clock_value = [START]
    ref = report_hazard(ReportHazard(reporter_id="U0EMP2", category=HazardCategory.FIRE, location="Hall",
                                     description="Blocked", department_key="cs1"),
                        uow=uow, org=ORG, clock=lambda: clock_value[0]).reference
    accepted, visited = 0, {HazardStatus.REPORTED}
    for i in range(data.draw(st.integers(min_value=0, max_value=40))):
        hazard = uow.state.hazards[ref]
        step = data.draw(st.sampled_from(list(Step)))
        actor = data.draw(st.one_of(st.sampled_from(likely_actor(step, hazard.assignee_id)),
                                    st.sampled_from(PEOPLE)))
        reason = data.draw(st.sampled_from(["", "because", "  "]))
        days = data.draw(st.integers(min_value=-2, max_value=20))
        clock_value[0] = START + timedelta(hours=i)
        before = (hazard.status, hazard.revision, len(uow.state.events))
        command = StepInput(
            reference=ref, step=step, actor_id=actor, severity=data.draw(st.sampled_from(list(Severity))),
            reason=reason, department_key=data.draw(st.sampled_from(["cs1", "cs1", "cs2", "nope"])),
            measures=reason or "fix", assignee_id=data.draw(st.sampled_from([*PEOPLE, "UGONE"])),
            note=reason or "done", deadline=clock_value[0] + timedelta(days=days) if days else None)
        try:
            take_step(command, uow=uow, org=ORG, calendar=CALENDAR, directory=FakeDirectory(set(PEOPLE)),
                      clock=lambda: clock_value[0])
        except DomainError:
            hazard = uow.state.hazards[ref]
            assert (hazard.status, hazard.revision, len(uow.state.events)) == before  # nothing changed
            continue
        accepted += 1
        hazard = uow.state.hazards[ref]
        visited.add(hazard.status)
        assert hazard.status in REACHABLE
        rule = RULES[step]
        assert before[0] in rule.sources and hazard.status == (rule.target or before[0])
        assert hazard.revision == before[1] + 1
        if hazard.status is HazardStatus.CLOSED:
            assert step is Step.VERIFY and actor in ORG.safety_department.members
        if hazard.status in (HazardStatus.ASSIGNED, HazardStatus.COMPLETED, HazardStatus.APPROVED):
            assert hazard.assignee_id and hazard.deadline_at and hazard.measures
    target(float(len(visited)))  # steer the search towards sequences that go round the loop
    events = [e for e in uow.state.events if e.case_ref == ref]
    assert len(events) == accepted + 1  # plus "reported"
    assert [e.at for e in events] == sorted(e.at for e in events)
