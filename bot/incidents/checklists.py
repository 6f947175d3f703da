"""The emergency plans' checklists per incident type (5.1, 5.3): data the company may edit (`plans.yml`)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from bot.incidents.model import IncidentType


class ChecklistItem(BaseModel, extra="forbid"):
    en: str = Field(min_length=1, max_length=500)
    zh: str = Field(min_length=1, max_length=500)


Checklists = dict[IncidentType, tuple[ChecklistItem, ...]]
DEFAULT_PLANS = Path(__file__).parent / "plans.yml"


def load_incident_plans(path: Path | None = None) -> Checklists:
    """The checklists per incident type.

    `path` None: the set shipped with the app. A type the file leaves out uses its `other` list.
    Raises ValueError naming the file and the mistake.
    """
    source = path or DEFAULT_PLANS
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        plans = {IncidentType(kind): tuple(ChecklistItem.model_validate(item) for item in items)
                 for kind, items in raw.items()}
    except (OSError, yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{source}: {exc}") from exc
    if IncidentType.OTHER not in plans:
        raise ValueError(f"{source}: needs an 'other' checklist for the types it leaves out")
    return {kind: plans.get(kind, plans[IncidentType.OTHER]) for kind in IncidentType}
