"""How grave a hazard is (regulation 7.3.2): one enum, shared by the hazard workflow, the org file's default
deadlines and the deadline arithmetic, so that none of them imports a feature to name it."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    GENERAL = "general"  # 一般
    SERIOUS = "serious"  # 较大
    MAJOR = "major"  # 重大
