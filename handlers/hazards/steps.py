"""Slack surface of the closed loop: step buttons, the step modal, and refusals in the person's language."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core.errors import DomainError
from bot.core.i18n import t
from bot.core.idempotency import submission_key
from bot.core.services import Services
from bot.core.workdays import deadline_for
from bot.hazards.changes import StepInput
from bot.hazards.contexts import CaseSnapshot
from bot.hazards.model import Severity, Step
from bot.hazards.usecases import case_snapshot, check_step, learn_names, take_step
from handlers.core.acks import ack_now
from handlers.core.blocks import at, when
from handlers.core.dates import long_date
from handlers.core.errors import Kindly
from handlers.core.forms import Form
from handlers.core.modals import answer_submission, refusal
from handlers.hazards.ids import DIRECT_STEPS, STEP_ACTION_PREFIX, BlockId, CallbackId, parse_step_value
from handlers.hazards.step_views import NEW_ROUND, STEP_FIELDS, build_step_done, build_step_modal

log = logging.getLogger(__name__)

BLOCK_OF_FIELD = {
    "severity": BlockId.STEP_SEVERITY, "deadline": BlockId.STEP_DEADLINE, "reason": BlockId.STEP_REASON,
    "department": BlockId.STEP_DEPARTMENT, "measures": BlockId.STEP_MEASURES, "assignee": BlockId.STEP_ASSIGNEE,
    "note": BlockId.STEP_NOTE, "photos": BlockId.STEP_PHOTO,
}
_SEVERITIES = {s.value for s in Severity}


def step_form(step: Step) -> Form:
    """The step's modal: an error on a field it does not show goes on its first input."""
    return Form(fields=BLOCK_OF_FIELD, fallback=STEP_FIELDS[step][0])


class StepModalMeta(BaseModel):
    reference: str
    step: Step
    locale: str
    prefilled_date: str | None = None  # the deadline date the modal offered; kept as it was if left alone
    revision: int | None = None  # the case's revision the modal was opened on: a later step makes it stale


def end_of_day(day: date, tz: ZoneInfo, ends: time = time(18, 0)) -> datetime:
    """A date picked in the company's calendar means the end of that working day there (`workday_end`), as a
    default deadline does: "by Monday" is Monday evening for both."""
    return datetime.combine(day, ends, tzinfo=tz).astimezone(UTC)


def parse_step(view: dict[str, Any], meta: StepModalMeta, *, user_id: str, tz: ZoneInfo,
               workday_end: time = time(18, 0)) -> StepInput:
    """The one place that knows the step modal's state layout."""
    form = step_form(meta.step).read(view)
    severity = form.chosen(BlockId.STEP_SEVERITY, _SEVERITIES)
    picked = form.day(BlockId.STEP_DEADLINE)
    return StepInput(
        reference=meta.reference, step=meta.step, actor_id=user_id,
        severity=Severity(severity) if severity else None,
        deadline=end_of_day(picked, tz, workday_end) if picked and picked.isoformat() != meta.prefilled_date else None,
        reason=form.text(BlockId.STEP_REASON), measures=form.text(BlockId.STEP_MEASURES),
        note=form.text(BlockId.STEP_NOTE), department_key=form.selected(BlockId.STEP_DEPARTMENT),
        assignee_id=form.user(BlockId.STEP_ASSIGNEE), photos=form.photos(BlockId.STEP_PHOTO),
        revision=meta.revision,
    )


def register(app: App, services: Services) -> None:
    org = services.org
    kindly = Kindly(services.locales)

    def deadline_hint(locale: str) -> str:
        now = services.clock()
        return t("field.deadline_hint", locale, **{
            s.value: long_date(deadline_for(s, start=now, org=org, calendar=services.calendar), org.timezone, locale)
            for s in Severity})

    def new_round_deadline(case: CaseSnapshot, locale: str) -> tuple[str, str]:
        """The date a send-back or return offers, and the hint saying why: the current deadline while it is
        still ahead; once it has passed, a new one counted from the severity (in working days where set), which
        the step then takes if the date is left alone (`bot.hazards.changes`)."""
        now = services.clock()
        if case.deadline_at is not None and case.deadline_at > now:
            current = when(case.deadline_at.isoformat(), org.timezone)
            return current[:10], t("field.deadline_current_hint", locale, deadline=current)
        offered = deadline_for(case.severity or Severity.GENERAL, start=now, org=org, calendar=services.calendar)
        return (when(offered.isoformat(), org.timezone)[:10],
                t("field.deadline_passed_hint", locale, deadline=at(case.deadline_at, org.timezone)))

    def on_button(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        action, user_id = body["actions"][0], body["user"]["id"]
        step = Step(action["action_id"].removeprefix(STEP_ACTION_PREFIX))
        reference, shown = parse_step_value(action["value"])
        locale = services.locales.locale_for(user_id)
        try:
            if step in DIRECT_STEPS:
                take_step(StepInput(reference=reference, step=step, actor_id=user_id, revision=shown),
                          uow=services.uow(), org=org,
                          calendar=services.calendar, directory=services.directory, clock=services.clock)
                respond(**build_step_done(step=step, reference=reference, locale=locale))
                return
            check_step(reference, step, actor_id=user_id, uow=services.uow(), org=org)
            case = case_snapshot(reference, uow=services.uow(), org=org)
        except DomainError as exc:
            respond(text=refusal(exc, locale), response_type="ephemeral", replace_original=False)
            return
        dated = step is Step.ASSIGN and case.deadline_at is not None
        offered = when(case.deadline_at.isoformat(), org.timezone)[:10] if dated and case.deadline_at else None
        hint = deadline_hint(locale) if step is Step.ASSESS else ""
        if step in NEW_ROUND:
            offered, hint = new_round_deadline(case, locale)
        meta = StepModalMeta(reference=reference, step=step, locale=locale, prefilled_date=offered,
                             revision=case.revision)
        client.views_open(trigger_id=body["trigger_id"], view=build_step_modal(
            step=step, case=case, locale=locale, departments=list(org.departments),
            deadline_hint=hint, private_metadata=meta.model_dump_json(), now=services.clock(),
            offered_date=offered))
        # While the person fills the modal: learn the names its thread line will show, so the submission
        # (answered within Slack's three seconds) asks Slack for none of them.
        learn_names(StepInput(reference=reference, step=step, actor_id=user_id), uow=services.uow(), org=org,
                    directory=services.directory)

    def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = StepModalMeta.model_validate_json(view["private_metadata"])
        answer_submission(
            ack, body, locale=meta.locale, title=t(f"step.{meta.step.value}.title", meta.locale),
            run=lambda: take_step(parse_step(view, meta, user_id=body["user"]["id"], tz=org.tz,
                                             workday_end=org.workday_end), uow=services.uow(),
                                  org=org, calendar=services.calendar, directory=services.directory,
                                  clock=services.clock, once=submission_key(view.get("id"), view["callback_id"])),
            block_of=step_form(meta.step).block_of)

    for step in Step:
        app.action(STEP_ACTION_PREFIX + step.value)(ack=ack_now, lazy=[kindly(on_button)])
    app.view_submission(CallbackId.HAZARD_STEP_MODAL)(on_submit)
