"""The emergency plans' checklists per incident type (5.1, 5.3), and which types are 生产安全事故 under
《生产安全事故报告和调查处理条例》 (its `reporting` section): data the company may edit (`plans.yml`)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field, field_validator

from bot.core.durations import Duration, DurationText
from bot.incidents.model import IncidentType


class ChecklistItem(BaseModel, extra="forbid"):
    en: str = Field(min_length=1, max_length=500)
    zh: str = Field(min_length=1, max_length=500)


Checklists = dict[IncidentType, tuple[ChecklistItem, ...]]
DEFAULT_PLANS = Path(__file__).parent / "plans.yml"
REPORTING = "reporting"  # the section that is not a checklist


class ReportingRules(BaseModel, extra="forbid"):
    """Which incident types are 生产安全事故 (production safety accidents): their casualty changes are
    reported again within `follow_up` of the accident (Art. 13: 30 days, 7 for fires and road traffic).
    Other types (a network-security event, a data leak) follow their own rules: no such follow-up."""

    accidents: frozenset[IncidentType] = frozenset({IncidentType.FIRE, IncidentType.INJURY, IncidentType.ELECTRICAL,
                                                    IncidentType.EVACUATION, IncidentType.OTHER})
    follow_up: dict[str, DurationText] = Field(default_factory=lambda: {
        "default": Duration(amount=30, unit="d"), IncidentType.FIRE.value: Duration(amount=7, unit="d")})

    @field_validator("follow_up")
    @classmethod
    def _known_types(cls, value: dict[str, Duration]) -> dict[str, Duration]:
        known = {"default", *(kind.value for kind in IncidentType)}
        if unknown := sorted(set(value) - known):
            raise ValueError(f"follow_up: unknown incident type {unknown[0]!r} (use 'default' or one of "
                             f"{', '.join(kind.value for kind in IncidentType)})")
        return value

    def is_accident(self, kind: IncidentType) -> bool:
        return kind in self.accidents

    def follow_up_for(self, kind: IncidentType) -> Duration | None:
        """How long casualty changes are reported again after the accident; None for other types."""
        if not self.is_accident(kind):
            return None
        return self.follow_up.get(kind.value) or self.follow_up.get("default") or Duration(amount=30, unit="d")


def load_reporting_rules(path: Path | None = None) -> ReportingRules:
    """The `reporting` section of the plans file; the defaults above when it has none."""
    source = path or DEFAULT_PLANS
    try:
        raw = (yaml.safe_load(source.read_text(encoding="utf-8")) or {}).get(REPORTING) or {}
        return ReportingRules.model_validate(raw)
    except (OSError, yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: {REPORTING}: {exc}") from exc


def load_incident_plans(path: Path | None = None) -> Checklists:
    """The checklists per incident type.

    `path` None: the set shipped with the app. A type the file leaves out uses its `other` list.
    Raises ValueError naming the file and the mistake.
    """
    source = path or DEFAULT_PLANS
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        plans = {IncidentType(kind): tuple(ChecklistItem.model_validate(item) for item in items)
                 for kind, items in raw.items() if kind != REPORTING}
    except (OSError, yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: {exc}") from exc
    if IncidentType.OTHER not in plans:
        raise ValueError(f"{source}: needs an 'other' checklist for the types it leaves out")
    return {kind: plans.get(kind, plans[IncidentType.OTHER]) for kind in IncidentType}
