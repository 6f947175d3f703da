"""Sample contexts for every outbox template and sample calls of every view builder, in every case state.

`tests/runtime/test_rendering.py` renders each of them in both languages and checks what Slack would get.
A template or a `build_*` view without an entry here fails that test: add its samples here (every state it
can show, and the longest typed text the forms allow), so no message is first rendered in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.core.i18n import catalog
from bot.core.org import Department
from bot.core.text import Limits
from bot.hazards.contexts import CalendarNotice, CaseCard, Decision, HazardNotice, StepLine
from bot.hazards.messages import NOTICE_KINDS
from bot.hazards.model import HazardCategory, HazardStatus, Severity, Step
from bot.hazards.queries import CaseLine, CaseView, MyCases, OpenCases, TimelineLine
from bot.hazards.rules import RULES
from bot.incidents.contexts import (
    ActionProgress,
    ActionStatus,
    AuthorityRecord,
    ChecklistEntry,
    CreateChannel,
    FindChannel,
    IncidentAlert,
    IncidentLine,
    IncidentPost,
    IncidentReport,
    IncidentSnapshot,
    Invite,
    Pin,
    ReportFile,
    TimelineEntry,
)
from bot.incidents.model import IncidentStatus, IncidentType
from bot.plans.messages import PlanOverdue, PlanReminder
from bot.plans.model import Audience, OverdueLevel, PlanInput, PlanKind
from bot.plans.usecases import PlanLine, Upcoming
from bot.scheduling import SetAside
from handlers.core import blocks as core_blocks
from handlers.hazards import list_views as hlv
from handlers.hazards import step_views as hsv
from handlers.hazards import views as hv
from handlers.incidents import views as iv
from handlers.incidents.report_views import TIMELINE_ACTIONS
from handlers.plans import views as pv

TZ = "Asia/Shanghai"
NOW = datetime(2026, 12, 16, 1, 13, tzinfo=UTC)
TODAY = date(2026, 12, 16)
# What people type, short and as long as the forms allow; with mrkdwn and mentions that must show as typed.
TYPED = {
    "short": lambda limit: "3F *east* exit <!channel> & co",
    "longest": lambda limit: ("长" * (limit - 10) + " <@U0EMP1>")[:limit],
}
DEPARTMENTS = [Department(key=f"dept-{i:03d}", name=f"部门 {i:03d} " + "名" * 90, head="U0HEAD1")
               for i in range(120)]  # more than one picker's 100 options, names longer than its 75 characters
PHOTOS = [{"permalink": f"https://files.example/p{i}", "name": f"photo {i}.jpg"} for i in range(5)]

Sample = tuple[str, dict[str, Any]]  # (which state, the stored JSON context)


def _keys(prefix: str) -> list[str]:
    """The variants the English catalogue has under `prefix` (`incident.line.` -> closed, resolved, ...)."""
    return sorted({key[len(prefix):].split(".")[0] for key in catalog("en") if key.startswith(prefix)})


def _case(status: HazardStatus, size: str, *, anonymous: bool = False) -> dict[str, Any]:
    """A case snapshot in `status`, filled as far as that status has got."""
    typed = TYPED[size]
    later = status not in (HazardStatus.REPORTED, HazardStatus.REJECTED)
    assigned = status in (HazardStatus.ASSIGNED, HazardStatus.COMPLETED, HazardStatus.APPROVED, HazardStatus.CLOSED)
    return {
        "reference": "HZ-2026-0042", "category": HazardCategory.FIRE, "location": typed(Limits.LOCATION),
        "description": typed(Limits.DESCRIPTION), "department": DEPARTMENTS[0].name,
        "leaders": ["U0HEAD1", "U0DEP1"], "reporter": None if anonymous else "U0EMP1", "anonymous": anonymous,
        "photos": [] if anonymous else PHOTOS, "photo_count": len(PHOTOS),
        "source_permalink": None if anonymous else "https://example.slack.com/archives/C1/p1",
        "reported_at": NOW - timedelta(days=9), "timezone": TZ, "status": status,
        "severity": Severity.MAJOR if later else None,
        "deadline_at": NOW - timedelta(days=2) if later else None,
        "measures": typed(Limits.MEASURES) if assigned else None,
        "assignee": "U0ASSIGN" if assigned else None,
        "completion_note": typed(Limits.NOTE) if status in (HazardStatus.COMPLETED, HazardStatus.APPROVED) else None,
        "completion_photos": PHOTOS if status is HazardStatus.COMPLETED else [],
        "extension_until": NOW + timedelta(days=3) if status is HazardStatus.ASSIGNED else None,
        "extension_reason": typed(Limits.REASON) if status is HazardStatus.ASSIGNED else None,
        "last_reason": typed(Limits.REASON) if status is HazardStatus.REJECTED else None,
        "thread": ("C0SAFETY", "1700000000.000100"), "revision": 7,
        "deciders": ["U0HEAD1", "U0SAFE1"] if status in (HazardStatus.COMPLETED, HazardStatus.APPROVED) else [],
    }


def _fits(status: HazardStatus) -> list[Step]:
    return [step for step, rule in RULES.items() if status in rule.sources]


def _target(step: Step) -> HazardStatus:
    rule = RULES[step]
    return rule.target or next(iter(sorted(rule.sources)))


def hazard_cards() -> Iterator[Sample]:
    for status in HazardStatus:
        for audience in ("safety", "leader", "assignee", "reporter"):
            for size in TYPED:
                for anonymous in (False, True):
                    offers = [] if audience == "reporter" else _fits(status)
                    card = CaseCard(**_case(status, size, anonymous=anonymous), recipient="U0HEAD1",
                                    audience=audience, offers=offers)  # type: ignore[arg-type]
                    yield f"{status}-{audience}-{size}{'-anonymous' * anonymous}", card.model_dump(mode="json")


def _changes(size: str) -> dict[str, Any]:
    reason = TYPED[size](Limits.REASON)
    return {"deadline_at": [None, (NOW + timedelta(days=5)).isoformat()], "last_reason": [None, reason],
            "assignee_id": [None, "U0ASSIGN"], "extension_until": [None, (NOW + timedelta(days=9)).isoformat()]}


def hazard_steps() -> Iterator[Sample]:
    for step in Step:
        for size in TYPED:
            base = dict(_case(_target(step), size), recipient="C0SAFETY", step=step, actor="U0HEAD1",
                        changes=_changes(size))
            yield f"{step}-{size}", StepLine(**base).model_dump(mode="json")
            yield f"{step}-{size}-asking", StepLine(**base, buttons=_fits(_target(step))).model_dump(mode="json")
            decided = Decision(step=Step.APPROVE, actor="U0HEAD1")
            yield f"{step}-{size}-decided", StepLine(**base, buttons=[Step.APPROVE], decided=decided).model_dump(
                mode="json")


def hazard_notices() -> Iterator[Sample]:
    for notice in sorted({*NOTICE_KINDS, *_keys("notice.")}):
        step = Step(notice) if notice in {s.value for s in Step} else None
        status = _target(step) if step else HazardStatus.ASSIGNED
        for size in TYPED:
            context = HazardNotice(**_case(status, size), recipient="U0ASSIGN", notice=notice, step=step,
                                   actor="U0HEAD1", changes=_changes(size))
            yield f"{notice}-{size}", context.model_dump(mode="json")


def calendar_notices() -> Iterator[Sample]:
    yield "unknown-year", CalendarNotice(year=2031).model_dump(mode="json")


def _incident(status: IncidentStatus, size: str, *, kind: IncidentType, confidential: bool,
              urgent: bool) -> dict[str, Any]:
    typed = TYPED[size]
    handled = status is not IncidentStatus.REPORTED
    closed = status in (IncidentStatus.CLOSED, IncidentStatus.RESOLVED)
    verified = HazardStatus.CLOSED if status is IncidentStatus.RESOLVED else HazardStatus.ASSIGNED
    return {
        "reference": "INC-2026-0007", "kind": kind, "status": status, "occurred_at": NOW - timedelta(hours=3),
        "reported_at": NOW - timedelta(hours=2), "location": typed(Limits.LOCATION),
        "description": typed(Limits.DESCRIPTION), "injured": 2 if urgent else 0,
        "injured_names": typed(Limits.NAMES) if urgent else "", "immediate_actions": typed(Limits.IMMEDIATE_ACTIONS),
        "reporter": "U0EMP1", "department": DEPARTMENTS[0].name if size == "longest" else None,
        "confidential": confidential, "urgent": urgent, "timezone": TZ,
        "channel": "C0INC7" if handled else None, "channel_failed": None,
        "checklist": [ChecklistEntry(item=i, en=typed(300), zh=typed(300),
                                     done_by="U0SAFE1" if handled and i % 2 else None,
                                     done_at=NOW if handled and i % 2 else None) for i in range(60)],
        "authority_report": AuthorityRecord(by="U0SAFE1", to=typed(Limits.AUTHORITY), on=TODAY.isoformat(),
                                            number=typed(Limits.AUTHORITY_NUMBER), recorded_at=NOW.isoformat())
        if handled else None,
        "root_cause": typed(Limits.ROOT_CAUSE) if closed else None,
        "lessons": typed(Limits.LESSONS) if closed else None,
        "thread": ("C0SAFETY", "1700000000.000200"),
        "actions": [ActionStatus(reference=f"HZ-2026-{n:04d}", status=verified) for n in range(1, 4)] if closed else [],
    }


def _incident_variants() -> Iterator[tuple[str, dict[str, Any]]]:
    for status in IncidentStatus:
        for size in TYPED:
            for confidential in (False, True):
                urgent = size == "longest"
                kind = IncidentType.DATA_LEAK if confidential else IncidentType.FIRE
                label = f"{status}-{size}{'-confidential' * confidential}"
                yield label, _incident(status, size, kind=kind, confidential=confidential, urgent=urgent)
    for kind in IncidentType:
        yield f"kind-{kind}", _incident(IncidentStatus.REPORTED, "short", kind=kind, confidential=False,
                                        urgent=False)


def incident_posts() -> Iterator[Sample]:
    for label, incident in _incident_variants():
        yield label, IncidentPost(**incident, recipient="C0SAFETY").model_dump(mode="json")


def incident_alerts() -> Iterator[Sample]:
    for label, incident in _incident_variants():
        for notice in (None, "authority_overdue"):
            context = IncidentAlert(**incident, recipient="U0HEAD1", notice=notice)
            yield f"{label}-{notice or 'alert'}", context.model_dump(mode="json")


def incident_lines() -> Iterator[Sample]:
    for line in _keys("incident.line."):
        for size in TYPED:
            incident = _incident(IncidentStatus.RESOLVED if line == "resolved" else IncidentStatus.CLOSED, size,
                                 kind=IncidentType.FIRE, confidential=False, urgent=False)
            for actor in ("U0SAFE1", None):
                context = IncidentLine(**incident, recipient="C0INC7", line=line, actor=actor,
                                       error="name_taken" if actor else None, officers=["U0SAFE1", "U0SAFE2"],
                                       opened=["HZ-2026-0001", "HZ-2026-0002"] if actor else [])
                yield f"{line}-{size}-{'actor' if actor else 'bot'}", context.model_dump(mode="json")


def incident_calls() -> dict[str, Callable[[], Iterator[Sample]]]:
    def report() -> Iterator[Sample]:
        for label, incident in _incident_variants():
            timeline = [TimelineEntry(action=action, actor="U0SAFE1", at=NOW) for action in TIMELINE_ACTIONS]
            actions = [ActionProgress(reference="HZ-2026-0001", status=status, assignee_id="U0ASSIGN",
                                      deadline_at=NOW, measures="fix") for status in HazardStatus]
            report = IncidentReport(context=incident, timeline=timeline, actions=actions)  # type: ignore[arg-type]
            yield label, ReportFile(recipient="C0INC7", reference="INC-2026-0007", report=report).model_dump(
                mode="json")

    return {
        "incident.create_channel": lambda: iter([("private", CreateChannel(
            recipient="C0SAFETY", name="inc-2026-0007-fire", is_private=True, attempt=2).model_dump(mode="json"))]),
        "incident.find_channel": lambda: iter([("page", FindChannel(
            recipient="C0SAFETY", name="inc-2026-0007-fire", is_private=False, cursor="abc").model_dump(mode="json"))]),
        "incident.invite": lambda: iter([("people", Invite(recipient="C0INC7", users=["U0SAFE1", "U0HEAD1"])
                                          .model_dump(mode="json"))]),
        "incident.pin": lambda: iter([("summary", Pin(recipient="C0INC7", ts="1700000000.000300")
                                       .model_dump(mode="json"))]),
        "incident.report_file": report,
    }


def _plan(size: str, kind: PlanKind, *, late: bool) -> dict[str, Any]:
    typed = TYPED[size]
    return {"plan_key": "fire-drill", "kind": kind, "title": typed(Limits.PLAN_TITLE),
            "details": typed(Limits.PLAN_DETAILS) if size == "longest" else "", "owner": "U0SAFE1",
            "occurrence_id": 12, "due_at": NOW, "timezone": TZ, "reminder": "remind:7d", "late": late,
            "recipient": "U0EMP1"}


def plan_reminders() -> Iterator[Sample]:
    for kind in PlanKind:
        for size in TYPED:
            for late in (False, True):
                context = PlanReminder(**_plan(size, kind, late=late))
                yield f"{kind}-{size}{'-late' * late}", context.model_dump(mode="json")


def plan_overdue() -> Iterator[Sample]:
    for level in OverdueLevel:
        for size in TYPED:
            context = PlanOverdue(**_plan(size, PlanKind.DRILL, late=False), level=level)
            yield f"{level}-{size}", context.model_dump(mode="json")


def set_asides() -> Iterator[Sample]:
    for stage in _keys("scheduling.set_aside."):
        for size in TYPED:
            context = SetAside(about=TYPED[size](Limits.PLAN_TITLE), subject="plan:12", stage=stage,
                               error="ValueError: " + TYPED[size](500))
            yield f"{stage}-{size}", context.model_dump(mode="json")


TEMPLATE_SAMPLES: dict[str, Callable[[], Iterator[Sample]]] = {
    "hazard.card": hazard_cards,
    "hazard.step": hazard_steps,
    "hazard.notice": hazard_notices,
    "calendar.unknown_year": calendar_notices,
    "incident.post": incident_posts,
    "incident.alert": incident_alerts,
    "incident.receipt": incident_posts,
    "incident.summary": incident_posts,
    "incident.checklist": incident_posts,
    "incident.line": incident_lines,
    **incident_calls(),
    "plan.reminder": plan_reminders,
    "plan.overdue": plan_overdue,
    "scheduling.set_aside": set_asides,
}


# --- views that are not outbox templates: modals and ephemeral answers ---

View = Callable[[str], dict[str, Any]]  # locale -> the view or message


def _views_of_cases() -> Iterator[tuple[str, View]]:
    for status in HazardStatus:
        for size in TYPED:
            case = CaseCard(**_case(status, size), recipient="U0HEAD1", audience="leader")
            for step in _fits(status) or [Step.ASSESS]:
                if step in hsv.STEP_FIELDS:
                    yield f"step_modal-{step}-{status}-{size}", lambda locale, step=step, case=case: (
                        hsv.build_step_modal(step=step, case=case, locale=locale, departments=DEPARTMENTS,
                                             deadline_hint="一般 7d", private_metadata="{}"))


def _case_view(status: HazardStatus, size: str) -> CaseView:
    case = _case(status, size)
    return CaseView(reference=case["reference"], status=status, category=case["category"],
                    location=case["location"], description=case["description"], department=case["department"],
                    reporter_id=None, severity=case["severity"], deadline_at=case["deadline_at"],
                    assignee_id=case["assignee"], measures=case["measures"], last_reason=case["last_reason"],
                    timeline=[TimelineLine(action=action, actor=None if i % 3 else "U0HEAD1", at=NOW)
                              for i, action in enumerate(["reported", *(s.event for s in Step), "reporter_revealed"]
                                                         * 4)])


def _my_cases(size: str) -> MyCases:
    lines = [CaseLine(reference=f"HZ-2026-{n:04d}", status=status, location=TYPED[size](Limits.LOCATION),
                      deadline_at=NOW if n % 2 else None)
             for n, status in enumerate(list(HazardStatus) * 10)]
    return MyCases(reported=lines, tasks=lines, to_decide=lines)


RULE_SAMPLES = ["FREQ=MONTHLY;BYDAY=1MO", "FREQ=WEEKLY;INTERVAL=2", "FREQ=YEARLY", "FREQ=MONTHLY;INTERVAL=3",
                "FREQ=DAILY;COUNT=1", "FREQ=DAILY;INTERVAL=3", "FREQ=MONTHLY;INTERVAL=6;BYMONTHDAY=15"]


def _plan_lines(size: str, count: int) -> list[PlanLine]:
    return [PlanLine(key=f"plan-{n}", title=TYPED[size](Limits.PLAN_TITLE), kind=list(PlanKind)[n % len(PlanKind)],
                     owner_id="U0SAFE1", paused=n % 3 == 0, rule=rule, start=TODAY, time_of_day=time(9, 0),
                     next_due=NOW if n % 2 else None)
            for n, rule in zip(range(count), RULE_SAMPLES * count, strict=False)]


def _plan_input(rule: str, size: str) -> PlanInput:
    return PlanInput(key="fire-drill", kind=PlanKind.DRILL, title=TYPED[size](Limits.PLAN_TITLE),
                     details=TYPED[size](Limits.PLAN_DETAILS), owner_id="U0SAFE1",
                     audience=Audience(channel="C0ALL", departments=[d.key for d in DEPARTMENTS[95:110]],
                                       people=["U0EMP1"], everyone=True),
                     rule=rule, start=TODAY, time_of_day=time(9, 30), offsets=["30d", "7d", "0d"],
                     move_off_holidays=True)


def views() -> Iterator[tuple[str, str, View]]:
    """(builder, case, call) for every view builder that is not an outbox template."""
    for size in TYPED:
        text = TYPED[size](Limits.DESCRIPTION)
        yield "handlers.hazards.views.build_report_modal", size, lambda locale, text=text: hv.build_report_modal(
            locale=locale, departments=DEPARTMENTS, department_key=DEPARTMENTS[110].key, description=text,
            private_metadata="{}")
        yield "handlers.incidents.views.build_incident_modal", size, lambda locale, text=text: (
            iv.build_incident_modal(locale=locale, departments=DEPARTMENTS, department_key=DEPARTMENTS[110].key,
                                    description=text, now=NOW, private_metadata="{}"))
        yield "handlers.hazards.views.build_reported_modal", size, lambda locale, size=size: hv.build_reported_modal(
            locale=locale, reference="HZ-2026-0042", department_name=TYPED[size](200))
        yield "handlers.hazards.step_views.build_my_cases", size, lambda locale, size=size: hsv.build_my_cases(
            _my_cases(size), locale=locale, timezone=TZ)
        for status in HazardStatus:
            yield "handlers.hazards.step_views.build_case_status", f"{status}-{size}", (
                lambda locale, status=status, size=size: hsv.build_case_status(
                    _case_view(status, size), locale=locale, timezone=TZ))
        for count in (0, 3, 60):
            for manage in (False, True):
                yield "handlers.plans.views.build_plan_list", f"{count}-{size}-{'manage' * manage}", (
                    lambda locale, size=size, count=count, manage=manage: pv.build_plan_list(
                        _plan_lines(size, count), locale=locale, timezone=TZ, manage=manage))
        for rule in RULE_SAMPLES:
            yield "handlers.plans.views.build_plan_modal", f"{rule}-{size}", (
                lambda locale, rule=rule, size=size: pv.build_plan_modal(
                    plan=_plan_input(rule, size), locale=locale, departments=DEPARTMENTS, today=TODAY,
                    private_metadata="{}"))
        for kind in PlanKind:
            yield "handlers.plans.views.build_done_modal", f"{kind}-{size}", (
                lambda locale, kind=kind, size=size: pv.build_done_modal(
                    title=TYPED[size](Limits.PLAN_TITLE), kind=kind, locale=locale, today=TODAY,
                    private_metadata="{}"))
        yield "handlers.core.blocks.build_message_modal", size, lambda locale, size=size: (
            core_blocks.build_message_modal(title=TYPED[size](100), text=TYPED[size](4000), locale=locale))
    yield "handlers.plans.views.build_plan_modal", "new", lambda locale: pv.build_plan_modal(
        plan=None, locale=locale, departments=DEPARTMENTS, today=TODAY, private_metadata="{}")
    for label, make in _views_of_cases():
        yield "handlers.hazards.step_views.build_step_modal", label.removeprefix("step_modal-"), make
    for step in Step:
        yield "handlers.hazards.step_views.build_step_done", str(step), lambda locale, step=step: (
            hsv.build_step_done(step=step, reference="HZ-2026-0042", locale=locale))
    for photos in ([], PHOTOS):
        yield "handlers.hazards.views.build_reporter_revealed", f"{len(photos)}-photos", (
            lambda locale, photos=photos: hv.build_reporter_revealed(
                reference="HZ-2026-0042", reporter_id="U0EMP1", photos=photos, locale=locale))
    yield "handlers.hazards.step_views.build_help", "help", hsv.build_help
    yield "handlers.plans.views.build_safety_help", "help", pv.build_safety_help
    for items in (0, 80):
        yield "handlers.plans.views.build_upcoming", f"{items}-items", lambda locale, items=items: pv.build_upcoming(
            [Upcoming(due_at=NOW + timedelta(hours=n), key="plan", title=TYPED["longest"](Limits.PLAN_TITLE),
                      kind=PlanKind.DRILL, owner_id="U0SAFE1") for n in range(items)], locale=locale, timezone=TZ)
    for size in TYPED:
        snapshot = IncidentSnapshot(**_incident(IncidentStatus.RESPONDING, size, kind=IncidentType.FIRE,
                                                confidential=False, urgent=size == "longest"))
        unit = TYPED[size](200)
        yield "handlers.incidents.views.build_authority_modal", size, lambda locale, c=snapshot, unit=unit: (
            iv.build_authority_modal(c=c, locale=locale, today=TODAY.isoformat(), unit=unit,
                                     private_metadata="{}"))
    for label, incident in _incident_variants():
        timeline = [TimelineEntry(action=action, actor="U0SAFE1", at=NOW, changes={"note": "*typed* note"})
                    for action in TIMELINE_ACTIONS] * 6
        actions = [ActionProgress(reference="HZ-2026-0001", status=status, assignee_id="U0EMP1",
                                  deadline_at=NOW, measures="fix") for status in HazardStatus]
        report = IncidentReport(context=IncidentSnapshot(**incident), timeline=timeline, actions=actions)
        yield "handlers.incidents.views.build_incident_status", label, lambda locale, r=report: (
            iv.build_incident_status(r, locale))
    yield "handlers.incidents.views.build_incident_help", "help", iv.build_incident_help
    for pages, page in ((1, 1), (4, 2)):
        lines = [CaseLine(reference=f"HZ-2026-{n:04d}", status=HazardStatus.ASSIGNED,
                          location=TYPED["longest"](Limits.LOCATION),
                          deadline_at=NOW - timedelta(days=n - 10), thread=("C0SAFETY", "1700000000.000100"))
                 for n in range(25 if pages > 1 else 0)]
        cases = OpenCases(lines=lines, page=page, pages=pages, total=len(lines) * pages, overdue=min(10, len(lines)))
        yield "handlers.hazards.list_views.build_open_cases", f"page-{page}-of-{pages}", (
            lambda locale, c=cases: hlv.build_open_cases(c, locale=locale, timezone=TZ))
    for size in TYPED:
        title = TYPED[size](Limits.PLAN_TITLE)
        for next_due in (NOW, None):
            yield "handlers.plans.views.build_saved_modal", f"{size}-{'due' if next_due else 'none'}", (
                lambda locale, title=title, next_due=next_due: pv.build_saved_modal(
                    title=title, locale=locale, timezone=TZ, next_due=next_due))
        yield "handlers.plans.views.build_recorded_modal", size, (
            lambda locale, title=title: pv.build_recorded_modal(title=title, locale=locale))
    yield "handlers.incidents.views.build_close_modal", "new", lambda locale: iv.build_close_modal(
        reference="INC-2026-0007", locale=locale, private_metadata="{}")
    yield "handlers.core.blocks.build_apology_modal", "error", lambda locale: core_blocks.build_apology_modal(
        locale=locale, error_ref="a1b2c3d4")
