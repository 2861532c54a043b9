"""Settings, read once from the environment (prefix ``MARKBOT_``) or a ``.env`` file.

Tests build ``Settings(...)`` directly; the CLI calls :func:`load_settings`, which turns a
validation error into one line that names the variable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.language import DEFAULT_EXPECTED, known_languages
from storage.open import describe, is_postgres, sqlite_path

ENV_PREFIX = "MARKBOT_"


class SettingsError(Exception):
    """A setting is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    """Everything markbot reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = None
    api_url: str = "https://api.telegram.org/bot"
    db: Path = Path("markbot.db")
    # Which database: a file path or sqlite:///PATH (SQLite, the default: MARKBOT_DB when this
    # is unset), or postgresql://USER:PASSWORD@HOST/NAME for several processes on PostgreSQL.
    database_url: str | None = None
    key_file: Path | None = None
    admins: Annotated[tuple[int, ...], NoDecode] = ()
    min_cell: int = Field(default=5, ge=0)
    safeguarding_chat: int | None = None
    log_level: str = "INFO"
    concurrency: int = Field(default=8, ge=1, le=256)
    # The languages typed answers may be tagged with (a tag only helps readers; never gates).
    text_languages: Annotated[tuple[str, ...], NoDecode] = DEFAULT_EXPECTED
    # The web ballot: served by `markbot run` when a port is set (with or without a token).
    web_port: int | None = Field(default=None, ge=1, le=65535)
    web_host: str = "127.0.0.1"
    public_url: str | None = None  # the https address people open (links, QR codes)
    web_language: str = "en"  # the first language of the web pages: en, or cy for Welsh-first
    web_trust_proxy: bool = False  # take the client address from X-Forwarded-For (rate limits)
    web_contact: str | None = None  # the council's contact, shown on the accessibility page
    # Telegram webhooks (`markbot run --webhook`): the https address Telegram posts updates to
    # (served by the web server, so MARKBOT_WEB_PORT too) and the secret it sends back.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # how long a claimed webhook update may stay unfinished before a redelivery takes it over
    # (a process died mid-update); Telegram gives up on a request after about 60 s
    webhook_lease_seconds: int = Field(default=90, ge=2, le=3600)
    # how long a dead broadcast sender's lease holds before another process (or its own
    # restart, on PostgreSQL) carries the broadcast on; renewed every 5 s or every third of
    # it, whichever is sooner
    broadcast_lease_seconds: int = Field(default=15, ge=3, le=600)

    @field_validator("api_url")
    @classmethod
    def _api_url_form(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        if not (value.endswith("/bot") or "{token}" in value):
            raise ValueError("must end in /bot (the token is appended) or contain {token}")
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return tuple(int(p) for p in parts)
            except ValueError:
                raise ValueError("must be comma-separated Telegram user ids (numbers)") from None
        return value

    @field_validator("text_languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str):
            value = [p for p in value.split(",") if p.strip()]
        if isinstance(value, list | tuple):
            codes = tuple(dict.fromkeys(str(p).strip().lower() for p in value))
            unknown = sorted(set(codes) - known_languages())
            if unknown or not codes:
                what = f"unknown code(s) {', '.join(unknown)}" if unknown else "no codes given"
                raise ValueError(f"{what}: use comma-separated codes like en,cy,pl,ur")
            return codes
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a test on this machine)")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if "://" in value and not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must be a file path, sqlite:///PATH or postgresql://...")
        return value

    @property
    def database(self) -> str | Path:
        """The database markbot uses: MARKBOT_DATABASE_URL, else the file MARKBOT_DB."""
        return self.database_url or self.db

    @property
    def on_postgres(self) -> bool:
        """Whether the database is PostgreSQL (several processes may share it)."""
        return is_postgres(self.database)

    @property
    def database_name(self) -> str:
        """The database for messages: a PostgreSQL URL without its password."""
        return describe(self.database)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be the https address Telegram posts updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise ValueError(
                "must be 16-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)"
            )
        return value

    def require_webhook(self) -> tuple[str, str, str]:
        """(url, path, secret) for webhook mode, or a SettingsError naming what is missing."""
        if self.webhook_url is None:
            raise SettingsError(
                f"{ENV_PREFIX}WEBHOOK_URL is not set: the https address Telegram posts to"
            )
        if self.webhook_secret is None:
            raise SettingsError(
                f"{ENV_PREFIX}WEBHOOK_SECRET is not set: 16 or more random letters and digits"
            )
        if self.web_port is None:
            raise SettingsError(
                f"{ENV_PREFIX}WEB_PORT is not set: webhooks arrive at the web server"
            )
        path = urlsplit(self.webhook_url).path.rstrip("/")
        if not path:
            raise SettingsError(
                f"{ENV_PREFIX}WEBHOOK_URL needs a path of its own, like https://votes.example.gov.uk/telegram"
            )
        return self.webhook_url, path, self.webhook_secret.get_secret_value()

    @field_validator("web_language")
    @classmethod
    def _web_language(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"en", "cy"}:
            raise ValueError("must be en or cy")
        return value

    @property
    def web_url(self) -> str | None:
        """Where people reach the web ballot: MARKBOT_PUBLIC_URL, else the local address."""
        if self.public_url:
            return self.public_url
        if self.web_port is None:
            return None
        return f"http://{self.web_host}:{self.web_port}"

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value

    @property
    def file_url(self) -> str:
        """The Bot API file URL that goes with ``api_url`` (``.../bot`` -> ``.../file/bot``)."""
        if "{token}" in self.api_url:
            head, _, tail = self.api_url.rpartition("/bot")
            return f"{head}/file/bot{tail}" if head else self.api_url
        return self.api_url[: -len("/bot")] + "/file/bot"

    @property
    def key_path(self) -> Path:
        """Where the hashing key lives: ``MARKBOT_KEY_FILE``, else beside the SQLite file. A
        PostgreSQL database has no file to sit beside, and the key must never be in it: every
        process is given the same key file."""
        if self.key_file is not None:
            return self.key_file
        if self.on_postgres:
            raise SettingsError(
                f"{ENV_PREFIX}KEY_FILE is not set: with PostgreSQL, give every markbot process"
                " the path of the same key file (kept outside the database, and backed up)"
            )
        path = sqlite_path(self.database)
        if path.name in ("", ".", ".."):  # "", "." or "/": a folder, no file to sit beside
            which = "DATABASE_URL" if self.database_url else "DB"
            raise SettingsError(
                f"{ENV_PREFIX}{which} is invalid: it names a folder ({path}), not a database file"
            )
        return path.with_name(path.name + ".key")

    def require_token(self) -> str:
        """The token, or a SettingsError naming the variable."""
        if self.token is None or not self.token.get_secret_value().strip():
            raise SettingsError(f"{ENV_PREFIX}TOKEN is not set: give the bot token from @BotFather")
        return self.token.get_secret_value().strip()


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning the first validation error into a one-line SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except UnicodeDecodeError:  # a .env saved in another encoding (Windows' cp1252...)
        raise SettingsError(f".env in {Path.cwd()} is not UTF-8 text: save it as UTF-8") from None
    except OSError as exc:
        raise SettingsError(f"cannot read .env in {Path.cwd()}: {exc.strerror or exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        msg = err["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{ENV_PREFIX}{field.upper()} is invalid: {msg}") from None
