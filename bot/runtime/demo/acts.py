"""The acts of the demo, each as people play it in Slack: report, the closed loop, a plan, an incident."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.runtime.demo import screen, show
from bot.runtime.demo.cast import BOSS, FIXER, HEAD, NAMES, OFFICER, REPORTER, who
from bot.runtime.demo.stage import DemoError, Stage
from bot.runtime.slack_requests import checkboxes, datepicker, plain_text, static_select, users_select

JsonDict = dict[str, Any]
REPORT_TEXT = "纸箱堵住了三楼东侧消防通道 <!channel>"


def _field(element: JsonDict) -> JsonDict:
    return {"value": element}


def report_hazard(stage: Stage) -> str:
    """Act 1, shown in full: the modal, then the message each person gets. Returns the case reference."""
    org = stage.runtime.org
    stage.begin()
    view = stage.command(REPORTER, "/hazard", REPORT_TEXT)
    screen.section(f"1. report: {who(REPORTER)} types /hazard {REPORT_TEXT}")
    labels = [line.split(":")[0].strip() for line in screen.flatten(view["blocks"])]
    screen.line(f"the modal «{view['title']['text']}» opens ({', '.join(labels)}); fire, 3F east fire exit")
    answer = stage.submit(REPORTER, view, {
        "hz_category": {"category": static_select("fire")},
        "hz_location": {"location": plain_text("3F east fire exit")},
        "hz_description": {"description": plain_text(REPORT_TEXT)},
        "hz_department": {"department": static_select(org.departments[0].key)},
    })
    shown = screen.flatten(answer.get("view", {}).get("blocks", []))
    screen.line(f"after submitting, the modal shows: {' '.join(shown)}")
    reference = next((w.strip("*。.,") for w in " ".join(shown).split() if w.strip("*").startswith("HZ-")), "")
    if not reference:
        raise DemoError("the modal did not name the new case")
    stage.settle()
    for call in show.in_order(stage, stage.since()):
        if call.method != "chat.postMessage":
            continue
        where = show.recipient(stage, str(call.params["channel"]))
        blocks = call.params.get("blocks") or []
        if where.startswith("the safety channel"):  # one card in full; the others in a line each
            screen.section(f"{where} sees", screen.flatten(blocks))
        else:
            screen.section(f"a DM to @{where} sees", [screen.one_line(blocks, str(call.params.get("text") or ""))])
    return reference


def _step(stage: Stage, number: int, name: str, user: str, where: str, action_id: str,
          values: JsonDict | None = None) -> None:
    """One step of the loop: press the button where the person sees it, fill in its modal, show the effect."""
    stage.begin()
    message = stage.message_with(where, action_id)
    label = next((e["text"]["text"] for b in message["blocks"] for e in [*(b.get("elements") or []),
                  b.get("accessory") or {}] if e.get("action_id") == action_id), action_id)
    place = show.recipient(stage, str(message["channel"]))
    if message.get("thread_ts"):
        place = f"in the case thread (the channel speaks {stage.runtime.org.language})"
    elif message.get("ts") == stage.fake.messages(str(message["channel"]))[0].get("ts"):
        place = "on the card in their DM" if place == who(user) else f"on the card in {place}"
    else:  # the direct message that asked them for this decision
        place = "in the message that asked them, in their DM"
    screen.section(f"{number}. {name}: {who(user)}")
    screen.line(f"presses [ {label} ] {place}")
    got = stage.press(user, where, action_id)
    if "view" in got:
        view = got["view"]
        filled = ", ".join(f"{k} = {who(v) if v in NAMES else v}" for k, v in (values or {}).items())
        screen.line(f"fills in «{view['title']['text']}»: {filled}")
        stage.submit(user, view, _step_values(values or {}))
    stage.settle()
    show.changes(stage, user)


def _step_values(values: JsonDict) -> JsonDict:
    builders: dict[str, Callable[[Any], JsonDict]] = {
        "severity": static_select, "deadline": datepicker, "measures": plain_text, "assignee": users_select,
        "note": plain_text}
    return {f"st_{name}": _field(builders[name](value)) for name, value in values.items()}


def close_the_loop(stage: Stage, reference: str) -> None:
    """Acts 2-7: assess, assign, done, the head approves from the message that asked him (a head need not be in
    the safety channel), safety verifies in the case thread, where the approval called them: closed."""
    safety = stage.runtime.org.safety_department.channel
    deadline = (stage.clock() + timedelta(days=3)).date().isoformat()
    _step(stage, 2, "assess", HEAD, HEAD, "hz_step_assess", {"severity": "serious"})
    _step(stage, 3, "assign", HEAD, HEAD, "hz_step_assign",
          {"measures": "Move the boxes to the store room", "assignee": FIXER, "deadline": deadline})
    _step(stage, 4, "done", FIXER, FIXER, "hz_step_complete", {"note": "Boxes moved, exit clear"})
    _step(stage, 5, "approve", HEAD, HEAD, "hz_step_approve")
    _step(stage, 6, "verify", OFFICER, safety, "hz_step_verify")
    with stage.runtime.services.uow() as uow:
        hazard = uow.hazards.get(reference)
        status = str(getattr(getattr(hazard, "status", None), "value", "unknown"))
    screen.section(f"7. closed: {reference} is {status}")
    last = stage.fake.texts_for(REPORTER)[-1].splitlines()[0] if stage.fake.texts_for(REPORTER) else ""
    screen.line(f"{who(REPORTER)}, the reporter, last heard: {last}")


def plan_reminder(stage: Stage, start: datetime) -> None:
    """Act 8: a safety officer plans a drill; its day comes (the clock jumps); the owner records it Done. The
    officer speaks zh-CN, so he types the title and details in Chinese: typed words are shown as typed, to
    everyone (only the default plans carry a title in each language)."""
    org = stage.runtime.org
    local = start.astimezone(org.tz)
    stage.begin()
    view = stage.command(OFFICER, "/safety", "plan")
    screen.section(f"8. plan: {who(OFFICER)} types /safety plan")
    screen.line(f"fills in «{view['title']['text']}»: a fire drill on {local:%Y-%m-%d} 10:00, "
                f"for {who(REPORTER)} and {who(FIXER)}")
    stage.submit(OFFICER, view, {
        "pl_kind": _field(static_select("drill")), "pl_title": _field(plain_text("消防演练")),
        "pl_details": _field(plain_text("在东门集合")), "pl_owner": _field(users_select(OFFICER)),
        "pl_channel": _field({"type": "channels_select", "selected_channel": None}),
        "pl_departments": _field({"type": "multi_static_select", "selected_options": []}),
        "pl_people": _field({"type": "multi_users_select", "selected_users": [REPORTER, FIXER]}),
        "pl_everyone": _field(checkboxes([])), "pl_pattern": _field(static_select("weekly")),
        "pl_start": _field(datepicker(local.date().isoformat())),
        "pl_time": _field({"type": "timepicker", "selected_time": "10:00"}),
        "pl_interval": _field({"type": "number_input", "value": "1"}), "pl_rule": _field(plain_text("")),
        "pl_offsets": _field({"type": "multi_static_select", "selected_options": [{"value": "0d"}]}),
        "pl_holidays": _field(checkboxes([])),
    })
    stage.settle(posts=False)
    stage.clock.jump_to(local.replace(hour=10, minute=1, second=0, microsecond=0))
    stage.begin()
    screen.section(f"9. reminder: the clock jumps to {local:%Y-%m-%d} 10:01 {org.timezone}")
    for _ in range(3):
        stage.runtime.scheduler.tick()
    stage.settle()
    show.changes(stage, OFFICER)
    stage.begin()
    got = stage.press(OFFICER, OFFICER, "plan_done")
    if "view" not in got:
        raise DemoError(f"Done on the reminder opened no modal: {got}")
    view = got["view"]
    screen.line(f"{who(OFFICER)} presses Done, fills in «{view['title']['text']}»: today, 全员 3 分钟内撤离")
    answer = stage.submit(OFFICER, view, {
        "dn_date": _field(datepicker(local.date().isoformat())),
        "dn_notes": _field(plain_text("全员 3 分钟内撤离")),
        "dn_attendance": _field({"type": "multi_users_select", "selected_users": [REPORTER, FIXER]})})
    stage.settle(posts=False)
    screen.line(f"{who(OFFICER)} then sees: {screen.one_line(answer.get('view', {}).get('blocks', []), '')}")
    show.changes(stage, OFFICER)  # every copy of the reminder now says who recorded it


def report_incident(stage: Stage) -> None:
    """Act 10: an incident; the safety channel, the head and management are alerted at once."""
    stage.begin()
    view = stage.command(FIXER, "/incident")
    screen.section(f"10. incident: {who(FIXER)} types /incident")
    screen.line(f"fills in «{view['title']['text']}»: fire, 2F server room, nobody hurt")
    stamp = int((stage.clock() - timedelta(minutes=10)).timestamp())
    stage.submit(FIXER, view, {
        "in_kind": _field(static_select("fire")),
        "in_occurred": _field({"type": "datetimepicker", "selected_date_time": stamp}),
        "in_location": _field(plain_text("2F server room")),
        "in_description": _field(plain_text("Smoke from a power strip")),
        "in_injured": _field(plain_text("0")), "in_injured_names": _field(plain_text("")),
        "in_actions_taken": _field(plain_text("Power cut, extinguisher used")),
        "in_department": _field(static_select(stage.runtime.org.departments[0].key)),
        "in_confidential": _field(checkboxes([])),
    })
    stage.settle()
    show.changes(stage, FIXER)
    if not any(BOSS in str(c.params.get("channel")) for c in stage.since()):
        raise DemoError("management heard nothing of the incident")
