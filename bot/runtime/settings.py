"""Settings from the environment (or `.env`).

Kept separate from the org file: settings say *how* the bot runs (tokens, database, port), the org
file says *who* the company is. Both are checked by `safetybot check-config`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_API_URL
    database_url: str = "sqlite:///safetybot.db"
    org_file: Path = Field(
        default=Path("org.yml"), validation_alias=AliasChoices("SAFETYBOT_ORG_FILE", "org_file")
    )
    # Where `serve` listens: 0.0.0.0 (every IPv4 address), 127.0.0.1 behind a proxy on the same machine, :: for IPv6.
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    # The emergency plans' checklists per incident type; unset: the set shipped in bot/incidents/plans.yml.
    incident_plans_file: Path | None = Field(
        default=None, validation_alias=AliasChoices("SAFETYBOT_INCIDENT_PLANS", "incident_plans_file"))
    # How long a Web API call may take before the outbox treats it as "maybe delivered".
    slack_timeout_seconds: float = 10.0
    # How long the outbox keeps trying a message Slack does not take (5xx, timeouts, transient errors),
    # from its first try, before it gives up and tells the safety department.
    slack_retry_hours: float = Field(default=24.0, gt=0)
    # Messages per second this copy of the bot sends at most (Slack allows about one a second per
    # channel and a few hundred a minute per workspace); with several copies, divide between them.
    slack_messages_per_second: float = Field(default=10.0, gt=0)
    # How often the scheduler looks for due reminders and escalations.
    scheduler_interval_seconds: float = Field(default=30.0, gt=0)
    # Larger requests are refused (413) before they are read. Slack's largest, a modal submission with
    # every field full, is well under 100 KB.
    max_request_bytes: int = Field(default=1024 * 1024, ge=16 * 1024)

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", mode="after")
    @classmethod
    def _strip(cls, value: SecretStr | None) -> SecretStr | None:
        """A value pasted with a stray space or newline is the value; one of only spaces is empty."""
        return None if value is None else SecretStr(value.get_secret_value().strip())

    @property
    def api_url(self) -> str:
        """slack_sdk wants the base URL with a trailing slash."""
        return self.slack_api_url if self.slack_api_url.endswith("/") else self.slack_api_url + "/"

    def missing_for(self, mode: str) -> list[str]:
        """Which environment variables a run mode needs but lacks, in the words an admin sets them."""
        return [name for name in NEEDED[mode] if getattr(self, name.lower()) is None]

    def empty_for(self, mode: str) -> list[str]:
        """Which of them are set but empty (`SLACK_SIGNING_SECRET=` in a .env file): set is not enough."""
        return [name for name in NEEDED[mode]
                if (value := getattr(self, name.lower())) is not None and not value.get_secret_value()]


NEEDED = {"serve": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"), "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")}
# Where an admin finds each value, for the one line that says it is empty.
WHERE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token, xoxb-..., under OAuth & Permissions",
    "SLACK_SIGNING_SECRET": "the Signing Secret under Basic Information, App Credentials",
    "SLACK_APP_TOKEN": "an app-level token, xapp-..., under Basic Information, App-Level Tokens",
}

# What each variable is, for every subcommand's --help (README.md's "Configuration" table says the same).
MEANING = {
    "SLACK_BOT_TOKEN": "Bot User OAuth Token, xoxb-...",
    "SLACK_SIGNING_SECRET": "verifies every request from Slack",
    "SLACK_APP_TOKEN": "app-level token xapp-... with connections:write",
    "SLACK_API_URL": "Web API base URL (default https://slack.com/api/)",
    "DATABASE_URL": "sqlite:///safetybot.db (default) or postgresql+psycopg://user:pass@host/db",
    "SAFETYBOT_ORG_FILE": "the organisation file (default org.yml)",
    "SAFETYBOT_INCIDENT_PLANS": "your own emergency-plan checklists (default: the shipped set)",
    "HOST": "address to listen on (default 0.0.0.0)",
    "PORT": "port to listen on (default 3000)",
    "SLACK_TIMEOUT_SECONDS": "how long one Web API call may take (default 10)",
    "SLACK_RETRY_HOURS": "how long a message Slack does not take is retried (default 24)",
    "SLACK_MESSAGES_PER_SECOND": "outgoing messages per second of this copy (default 10)",
    "SCHEDULER_INTERVAL_SECONDS": "how often reminders and escalations are looked for (default 30)",
    "MAX_REQUEST_BYTES": "larger requests are refused with 413 (default 1048576)",
}
