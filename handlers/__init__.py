"""The Slack surface: listeners, Block Kit builders and the Web API adapters.

`handlers/core` is shared; each feature package (hazards, incidents, plans) exposes `register` (its
listeners) and `TEMPLATES` (its outgoing messages). Only `bot.runtime.app` wires them.
"""
