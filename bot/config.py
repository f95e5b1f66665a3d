"""Settings from the environment (KOPSEHAT_*), validated once at start."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///kopsehat.db"


class ConfigError(Exception):
    """A setting is missing or wrong; the message names the variable."""


class Settings(BaseSettings):
    """Everything kopsehat reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="KOPSEHAT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = DEFAULT_DATABASE_URL
    # a streaming replica of the same PostgreSQL for the office's heavy pages (overview, list, exports); unset: none
    replica_database_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    timezone: str = "Asia/Jakarta"
    language: Literal["id", "en"] = "id"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    assessment_rules: Path | None = None
    public_url: str | None = None
    health_token: SecretStr | None = None
    secret_key: SecretStr | None = Field(default=None, min_length=32)

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_secret: SecretStr | None = None
    telegram_bot_username: str | None = None
    # sends per second over all chats (Telegram's limit is about 30); 0 = unpaced, for a benchmark against a fake API
    telegram_messages_per_second: int = Field(default=25, ge=0, le=1000)

    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_url: str = "https://graph.facebook.com/v25.0"
    whatsapp_templates: Path | None = None
    whatsapp_number: str | None = None
    whatsapp_messages_per_second: int = Field(default=80, ge=1, le=1000)
    whatsapp_daily_business_cap: int = Field(default=250, ge=1)

    quiet_hours: str = "21:00-07:00"
    report_open_day: int = Field(default=1, ge=1, le=28)
    report_reminder_days: str = "5,9"
    report_deadline_day: int = Field(default=10, ge=1, le=28)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use e.g. Asia/Jakarta, Asia/Makassar)") from exc
        return value

    @field_validator("replica_database_url", mode="before")
    @classmethod
    def _replica_or_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # set but empty: no replica

    @field_validator("database_url", "replica_database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours_format(cls, value: str) -> str:
        if value.strip():
            parse_quiet_hours(value)
        return value.strip()

    @field_validator("report_reminder_days")
    @classmethod
    def _reminder_days(cls, value: str) -> str:
        days = [part.strip() for part in value.split(",") if part.strip()]
        if not all(d.isdigit() and 1 <= int(d) <= 28 for d in days):
            raise ValueError("must be a comma-separated list of days 1..28, e.g. 5,9")
        return ",".join(days)

    def secret_values(self) -> list[str]:
        """Every secret setting's value and the database password, for the log's redaction."""
        from sqlalchemy.engine import make_url

        found = [v.get_secret_value() for v in self.__dict__.values() if isinstance(v, SecretStr)]
        urls = [url for url in (self.database_url, self.replica_database_url) if url]
        return found + [str(password) for url in urls if (password := make_url(url).password)]

    @property
    def office_url(self) -> str:
        """Where people reach this server: KOPSEHAT_PUBLIC_URL, else http://HOST:PORT."""
        return (self.public_url or f"http://{self.http_host}:{self.http_port}").rstrip("/")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None

    @property
    def telegram_webhook_mode(self) -> bool:
        return bool(self.public_url and self.telegram_webhook_secret)

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_token is not None and self.whatsapp_phone_number_id is not None

    @property
    def quiet_window(self) -> tuple[time, time] | None:
        return parse_quiet_hours(self.quiet_hours) if self.quiet_hours else None

    @property
    def reminder_days(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.report_reminder_days.split(",") if d)


def parse_quiet_hours(value: str) -> tuple[time, time]:
    """Parse "21:00-07:00" into (start, end)."""
    try:
        start_text, end_text = value.split("-")
        return time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError as exc:
        raise ValueError("must look like 21:00-07:00, or be empty to switch quiet hours off") from exc


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; a problem becomes one ConfigError line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "KOPSEHAT_" + "_".join(str(part) for part in error["loc"]).upper()
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("; ".join(problems)) from None
