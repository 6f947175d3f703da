"""`safetybot demo`: the whole loop on this machine, with no Slack workspace.

Starts the real bot (HTTP endpoint, SQLite, outbox sender, scheduler) against the packaged fake Slack Web
API, sends what people do as Slack would (signed HTTP requests), and prints what each person sees, in
their own Slack language. Works from the installed wheel: everything it needs ships in the package.
"""

from bot.runtime.demo.cast import LOCALES, NAMES, REPORTER
from bot.runtime.demo.story import run_demo

__all__ = ["LOCALES", "NAMES", "REPORTER", "run_demo"]
