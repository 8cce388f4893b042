"""Every setting of the bot, read once from the environment.

Values come from the process environment, then from ``.env`` (python-dotenv,
``override=False`` so a real environment variable always wins), then from the
defaults below, which work on a fresh machine. Invalid values fail fast with
one clear line rather than surfacing later as a confusing Rasa error.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent

# name -> default. Rasa's YAML files reference some of these as ${VAR}; Rasa
# stops on an unset variable, so `export_defaults()` puts them in the
# environment before Rasa reads its endpoints/credentials.
DEFAULTS: dict[str, str] = {
    "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'bot.db'}",
    "TRACKER_STORE_DB": str(ROOT / "var" / "tracker.db"),
    "ACTION_SERVER_URL": "http://localhost:5055/webhook",
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "DEFAULT_REGION": "US",
    "SPACY_MODEL_PATH": str(ROOT / "var" / "spacy" / "en_therapy"),
    "RESOURCES_FILE": str(ROOT / "data" / "resources" / "helplines.yml"),
    "RETENTION_DAYS": "30",
    "AUDIT_SALT": "",
    "ACTION_TIMEOUT_SECONDS": "4",
    "LOG_LEVEL": "INFO",
}

_REGION = re.compile(r"^[A-Z]{2}$|^INTL$")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and says how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_db: str
    action_server_url: str
    rasa_port: int
    action_port: int
    default_region: str
    spacy_model_path: str
    resources_file: str
    retention_days: int
    audit_salt: str
    action_timeout_seconds: float
    log_level: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        raw = {name: env.get(name) or default for name, default in DEFAULTS.items()}

        def as_int(name: str, low: int, high: int) -> int:
            try:
                value = int(raw[name])
            except ValueError:
                raise SettingsError(f"{name} must be a whole number, got {raw[name]!r}") from None
            if not low <= value <= high:
                raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
            return value

        region = raw["DEFAULT_REGION"].strip().upper()
        if not _REGION.match(region):
            raise SettingsError(
                f"DEFAULT_REGION must be a two-letter country code such as US or GB (or INTL), got {region!r}"
            )
        try:
            timeout = float(raw["ACTION_TIMEOUT_SECONDS"])
        except ValueError:
            raise SettingsError("ACTION_TIMEOUT_SECONDS must be a number of seconds") from None
        if "://" not in raw["DATABASE_URL"]:
            raise SettingsError(
                f"DATABASE_URL must be a SQLAlchemy URL such as sqlite:///var/bot.db, got {raw['DATABASE_URL']!r}"
            )
        return cls(
            database_url=raw["DATABASE_URL"],
            tracker_store_db=raw["TRACKER_STORE_DB"],
            action_server_url=raw["ACTION_SERVER_URL"],
            rasa_port=as_int("RASA_PORT", 1, 65535),
            action_port=as_int("ACTION_PORT", 1, 65535),
            default_region=region,
            spacy_model_path=raw["SPACY_MODEL_PATH"],
            resources_file=raw["RESOURCES_FILE"],
            retention_days=as_int("RETENTION_DAYS", 1, 3650),
            audit_salt=raw["AUDIT_SALT"],
            action_timeout_seconds=timeout,
            log_level=raw["LOG_LEVEL"].upper(),
        )


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use (never at import time)."""
    load_dotenv(ROOT / ".env", override=False)
    return Settings.from_env()


def export_defaults() -> None:
    """Put every setting into ``os.environ`` so Rasa's ``${VAR}`` substitution always resolves."""
    load_dotenv(ROOT / ".env", override=False)
    for name, default in DEFAULTS.items():
        if not os.environ.get(name):
            os.environ[name] = default

