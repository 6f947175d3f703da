"""Slack surface of the scheduler: the notice to the safety department when a plan's, a case's or a job's
work was set aside (`bot.scheduling.set_aside`)."""

from __future__ import annotations

from handlers.scheduling.templates import TEMPLATES

__all__ = ["TEMPLATES"]
