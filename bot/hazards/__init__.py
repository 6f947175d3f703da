"""The hazard closed loop (7.3, 2.2.4). What other features (and their handlers) may use is named here;
everything else in this package is its own business.

- `open_rectification(OpenRectification(...), uow=..., org=..., now=...)`: the one way another feature
  creates a hazard (an incident's corrective action, a failed inspection item), in its own transaction;
- `rectifications_of(ref, uow=...)`: how the rectifications opened for an incident stand;
- the events it records (`HazardReported`, `RectificationStepTaken`, `RectificationVerified`), to subscribe to;
- what the scheduler needs for deadlines: `HazardStatus`, `HazardsUnitOfWork` and `deadline_notice`.
"""

from bot.hazards.contexts import CONTEXTS
from bot.hazards.events import (
    HazardReported,
    RectificationStepTaken,
    RectificationVerified,
    ReporterRevealed,
    subscriptions,
)
from bot.hazards.jobs import HazardDeadlines
from bot.hazards.messages import SENT_HOOKS, deadline_notice
from bot.hazards.model import Hazard, HazardCategory, HazardStatus, Severity
from bot.hazards.ports import HazardRepository, HazardsUnitOfWork
from bot.hazards.queries import Rectification, rectifications_of
from bot.hazards.usecases import OpenRectification, open_rectification

__all__ = [
    "CONTEXTS",
    "SENT_HOOKS",
    "Hazard",
    "HazardCategory",
    "HazardDeadlines",
    "HazardReported",
    "HazardRepository",
    "HazardStatus",
    "HazardsUnitOfWork",
    "OpenRectification",
    "Rectification",
    "RectificationStepTaken",
    "RectificationVerified",
    "ReporterRevealed",
    "Severity",
    "deadline_notice",
    "open_rectification",
    "rectifications_of",
    "subscriptions",
]
