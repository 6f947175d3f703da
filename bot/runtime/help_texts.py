"""What each `safetybot` subcommand says for --help: what it does, and which environment variables it reads.

Kept beside the CLI, not in it, so the table reads as one piece; tests/runtime/test_check_config.py checks every
subcommand's --help against it.
"""

from __future__ import annotations

from bot.runtime.settings import MEANING

SLACK_RUN = ("SLACK_API_URL", "SLACK_TIMEOUT_SECONDS", "SLACK_RETRY_HOURS", "SLACK_MESSAGES_PER_SECOND",
             "SCHEDULER_INTERVAL_SECONDS")
FILES = ("SAFETYBOT_ORG_FILE", "SAFETYBOT_INCIDENT_PLANS")
COMMANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "serve": ("run the bot in HTTP mode (production)",
        "Checks the configuration and the Slack workspace (token, the bot in the safety channel, every person in the "
        "org file), creates or upgrades the database schema, then answers Slack on POST /slack/events and the load "
        "balancer on GET /readyz and GET /healthz, at HOST:PORT. Prints one line once it is running.",
        ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL", *FILES, "HOST", "PORT", *SLACK_RUN,
         "MAX_REQUEST_BYTES")),
    "socket": ("run the bot in Socket Mode (no public URL needed)",
        "Like serve, but opens an outgoing WebSocket to Slack instead of listening: for a quick start, or a machine "
        "Slack cannot reach. The app must be made from manifest.socket.yml (or have Socket Mode turned on).",
        ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DATABASE_URL", *FILES, *SLACK_RUN)),
    "demo": ("play the whole loop against a local fake Slack; needs no workspace",
        "Plays a hazard report to its close, a plan reminder and an incident alert, each person's view in their "
        "language, against a fake Slack on this machine. Reads no settings and leaves no file behind.", ()),
    "init": ("write a commented org.yml, manifest.yml and manifest.socket.yml here (never overwrites)",
        "Writes the files a new installation starts from into the current directory: org.yml (the organisation, "
        "with placeholder ids to replace), manifest.yml (the Slack app for HTTP mode) and manifest.socket.yml (for "
        "Socket Mode). Refuses, writing nothing, if any of them is already there.", ()),
    "check-config": ("check the org file and the settings; --online also Slack and the database",
        "Prints 'configuration OK', or one line per problem and exits with 2. --mode says which settings are needed "
        "(serve: SLACK_SIGNING_SECRET; socket: SLACK_APP_TOKEN). --online also asks Slack who the token is, whether "
        "the bot is in the safety channel and whether every person in the org file has an active account, and "
        "makes a write to the database.",
        ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL", *FILES, "SLACK_API_URL",
         "SLACK_TIMEOUT_SECONDS")),
    "migrate": ("create or upgrade the database schema, then exit",
        "Creates the tables on a new database or upgrades an existing one to this version; a no-op when it is "
        "current. serve and socket do the same at start.", ("DATABASE_URL",)),
}
PLANS_IMPORT = ("SAFETYBOT_ORG_FILE", "DATABASE_URL")


def epilog(names: tuple[str, ...]) -> str:
    """The variables a command reads, one a line with what each is (settings.MEANING)."""
    if not names:
        return "reads no environment variables"
    width = max(map(len, names))
    lines = [f"  {name.ljust(width)}  {MEANING[name]}" for name in names]
    return "environment variables (or a .env file in this directory):\n" + "\n".join(lines)
