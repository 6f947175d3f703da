"""The incident's report as people read it: the exported file (Markdown and Word, 5.2.4) and `/incident
INC-…` in Slack. Every timeline entry in words, people by name, notes, the checklist with who ticked what
when, the authority report, root cause, lessons and each corrective action's status.
"""

from __future__ import annotations

from typing import Any

from bot.core.i18n import t
from bot.incidents.channel import BOT_ACTOR
from bot.incidents.contexts import (
    IncidentReport,
    ReportFile,
    TimelineEntry,
)
from bot.incidents.model import ART12
from handlers.core.blocks import at

TIMELINE_ACTIONS = ("reported", "plan_started", "channel_created", "channel_failed", "checklist_ticked",
                    "authority_reported", "note_added", "closed", "resolved")


def action_label(entry_action: str, locale: str) -> str:
    """A timeline entry's action in words (an action older code wrote and this one does not know: as stored)."""
    if entry_action not in TIMELINE_ACTIONS:
        return entry_action.replace("_", " ")
    return t(f"incident.timeline.{entry_action}", locale)


def _who(report: IncidentReport, user: str | None, locale: str = "en") -> str:
    """A person by name in the file (a mention shows nothing there); the id only when Slack did not say;
    what the bot did by itself, in words (Slack knows no such user)."""
    if not user:
        return "—"
    if user == BOT_ACTOR:
        return t("hazard.by_bot", locale)
    return report.names.get(user) or user


def entry_detail(report: IncidentReport, entry: TimelineEntry, lang: str) -> str:
    """What the timeline entry carried: the note's text, the item ticked, the authority, the actions."""
    changes = entry.changes
    if entry.action == "note_added":
        return str(changes.get("text") or "")
    if entry.action == "checklist_ticked":
        item = changes.get("item")
        items = report.context.checklist
        if isinstance(item, int) and 0 <= item < len(items):
            return str(getattr(items[item], lang))
        return str(changes.get("text") or "")
    if entry.action == "authority_reported":
        return " · ".join(str(changes.get(k) or "") for k in ("to", "on", "number") if changes.get(k))
    if entry.action == "closed":
        return ", ".join(str(a) for a in changes.get("actions") or [])
    if entry.action == "channel_failed":
        return str(changes.get("error") or "")
    return ""


def report_sections(report: IncidentReport, locale: str) -> list[tuple[str, list[str]]]:
    """The post-incident report (5.2.4) as (heading, lines): the facts, the timeline translated with people by
    name and notes' text, the checklist with who ticked what when, the authority report with Art. 12's items,
    root cause, lessons, and each corrective action's status. One source for the Markdown and the Word file."""
    c, tz = report.context, report.context.timezone
    lang = "zh" if locale == "zh-CN" else "en"
    facts = [f"{t('hazard.field.status', locale)}: {t('incident.status.' + c.status, locale)}",
             f"{t('incident.field.kind', locale)}: {t('incident.kind.' + c.kind, locale)}",
             f"{t('incident.field.occurred', locale)}: {at(c.occurred_at, tz)}",
             f"{t('incident.report.reported_at', locale)}: {at(c.reported_at, tz)}",
             f"{t('incident.field.location', locale)}: {c.location}",
             f"{t('incident.field.injured', locale)}: {c.injured}"
             + (f" ({c.injured_names})" if c.injured_names else ""),
             f"{t('hazard.field.reporter', locale)}: {_who(report, c.reporter)}"]
    if c.department:
        facts.append(f"{t('incident.field.department', locale)}: {c.department}")
    timeline = []
    for e in report.timeline:
        action = action_label(e.action, locale)
        detail = entry_detail(report, e, lang)
        who = _who(report, e.actor, locale)
        timeline.append(f"{at(e.at, tz)} · {who} · {action}" + (f": {detail}" if detail else ""))
    checklist = [f"[{'x' if i.done_by else ' '}] {getattr(i, lang)}"
                 + (f" — {_who(report, i.done_by)}, {at(i.done_at, tz)}" if i.done_by else "") for i in c.checklist]
    a = c.authority_report
    if a:
        authority = [f"{t('incident.authority.to', locale)}: {a.to}",
                     f"{t('incident.authority.on', locale)}: {a.on or '—'}",
                     f"{t('incident.authority.number', locale)}: {a.number or '—'}",
                     f"{t('incident.report.reported_by', locale)}: {_who(report, a.by)}",
                     *[f"{t('incident.authority.' + name, locale)}: {getattr(a, name) or '—'}" for name in ART12]]
    else:
        authority = [t("incident.authority.pending", locale)]
    actions = [f"{x.reference} · {t('status.' + x.status.value, locale)} · {_who(report, x.assignee_id)} · "
               f"{at(x.deadline_at, tz)} · {x.measures or ''}".rstrip(" ·") for x in report.actions]
    return [
        ("", facts),
        (t("incident.field.description", locale), [c.description]),
        (t("incident.field.actions_taken", locale), [c.immediate_actions or "—"]),
        (t("hazard.timeline", locale), timeline),
        (t("incident.checklist.title", locale, kind=t("incident.kind." + c.kind, locale)), checklist or ["—"]),
        (t("incident.authority.title", locale), authority),
        (t("incident.close.root_cause", locale), [c.root_cause or "—"]),
        (t("incident.close.lessons", locale), [c.lessons or "—"]),
        (t("incident.close.actions", locale), actions or ["—"]),
    ]


def report_title(report: IncidentReport, locale: str) -> str:
    c = report.context
    return f"{t('incident.export.title', locale, reference=c.reference)} · {t('incident.kind.' + c.kind, locale)}"


def report_markdown(report: IncidentReport, locale: str) -> str:
    """The report as Markdown: a file in the channel (never rendered as mrkdwn, so typed text stays as typed)."""
    lines = [f"# {report_title(report, locale)}", ""]
    for heading, body in report_sections(report, locale):
        if heading:
            lines += [f"## {heading}", ""]
        paragraph = len(body) == 1 and heading != ""
        lines += body if paragraph else [f"- {line}" for line in body]
        lines.append("")
    return "\n".join(lines)


def report_docx(report: IncidentReport, locale: str) -> bytes:
    """The same report as a Word file (python-docx): what an authority can open, print and file."""
    import io

    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    fonts = document.styles["Normal"].element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), "SimSun")  # Chinese text in a font every Word and WPS has
    document.add_heading(report_title(report, locale), level=1)
    for heading, body in report_sections(report, locale):
        if heading:
            document.add_heading(heading, level=2)
        single = len(body) == 1 and heading != ""
        for line in body:
            document.add_paragraph(line, style=None if single else "List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_report_file(c: ReportFile, locale: str) -> dict[str, Any]:
    """files_upload_v2 arguments: the report, as Markdown or as a Word file, into its conversation."""
    title = t("incident.export.title", locale, reference=c.reference)
    if c.format == "docx":
        return {"channel": c.recipient, "content": report_docx(c.report, locale), "filename": f"{c.reference}.docx",
                "title": title}
    return {"channel": c.recipient, "content": report_markdown(c.report, locale),
            "filename": f"{c.reference}.md", "title": title}
