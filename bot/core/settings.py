"""Every setting of the bot, read once from the environment.

Values come from the process environment, then from ``.env`` (python-dotenv,
``override=False`` so a real environment variable always wins), then from the
defaults below, which work on a fresh machine. Invalid values fail fast with
one clear line rather than surfacing later as a confusing Rasa error.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from bot.core import wiring

ROOT = Path(__file__).resolve().parents[2]

# name -> default. Rasa's YAML files reference some of these as ${VAR}; Rasa
# stops on an unset variable, so `export_defaults()` puts them in the
# environment before Rasa reads its endpoints/credentials.
DEFAULTS: dict[str, str] = {
    "DATABASE_URL": f"sqlite:///{ROOT / 'var' / 'bot.db'}",
    "TRACKER_STORE_DB": str(ROOT / "var" / "tracker.db"),
    # Several servers: a shared PostgreSQL tracker store and a Redis lock store.
    "TRACKER_STORE_URL": "",
    "LOCK_STORE_URL": "",
    "RASA_WORKERS": "auto",
    # The Rasa server's event loop: asyncio keeps accepting new connections under a surge
    # (uvloop, Rasa's default, stopped: docs/performance.md); uvloop answers about 12% more.
    "EVENT_LOOP": "asyncio",
    # Connections per server process to the tracker store's PostgreSQL (Rasa's own default is 50 + 100).
    "SQL_POOL_SIZE": "5",
    "SQL_MAX_OVERFLOW": "5",
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
    # Longer messages get a friendly "please shorten it" instead of being processed.
    "MAX_MESSAGE_CHARS": "2000",
    "ENCODER_THREADS": "1",
    # Messages one server process takes at once; beyond, non-crisis messages
    # get a fast "busy" reply (bot/channels/shed.py). Crisis messages always get in.
    "SHED_MAX_IN_FLIGHT": "24",
    # ... or once its event loop runs this late (one stall, or the smoothed lag).
    "SHED_MAX_WAIT_MS": "100",
    "ENCODER_CACHE_SIZE": "1024",
    # Where `rasa train` keeps the encoders it tuned, by the hash of their lines, options and code.
    # Empty: the user's cache folder, which every clone on the machine shares.
    "ENCODER_TUNING_CACHE": "",
    # Rasa's HTTP API (model, trackers): off unless enabled, and then only with a token.
    "RASA_API_ENABLED": "false",
    "RASA_API_TOKEN": "",
    # DELETE /webhooks/rest/conversations/<sender> (erasure for the operator's
    # backends): refused unless this is set, and then only with it as a bearer token.
    "ERASE_API_TOKEN": "",
    # Addresses the action server and the web page listen on: this machine
    # only unless configured (the action server has no authentication).
    "ACTION_HOST": "127.0.0.1",
    "WEB_HOST": "127.0.0.1",
    # Web widget and browser channels.
    "WEB_PORT": "8080",
    "ALLOWED_ORIGINS": "http://localhost:8080,http://127.0.0.1:8080",
    "SESSION_SECRET": "",
    # EAP portals: master key from which each organisation's token key is derived (empty: tokens refused).
    "TENANT_JWT_SECRET": "",
    "TENANT_TOKEN_MAX_TTL_SECONDS": "3600",
    # Messaging platforms: each connector is on only when its variables are set.
    "TELEGRAM_ACCESS_TOKEN": "",
    "TELEGRAM_VERIFY": "",
    "TELEGRAM_WEBHOOK_URL": "",
    "TELEGRAM_SECRET_TOKEN": "",
    "TELEGRAM_API_URL": "https://api.telegram.org",
    "SLACK_TOKEN": "",
    "SLACK_SIGNING_SECRET": "",
    "SLACK_API_URL": "https://slack.com/api/",
    "FACEBOOK_VERIFY": "",
    "FACEBOOK_SECRET": "",
    "FACEBOOK_PAGE_ACCESS_TOKEN": "",
    "FACEBOOK_API_URL": "https://graph.facebook.com",
    "TWILIO_ACCOUNT_SID": "",
    "TWILIO_AUTH_TOKEN": "",
    "TWILIO_NUMBER": "",
    "TWILIO_WEBHOOK_URL": "",
    "TWILIO_API_URL": "https://api.twilio.com",
    # Run although Rasa, rasa-sdk or Sanic differ from the versions the patches were tested with (bot/core/versions.py).
    "ALLOW_UNTESTED_VERSIONS": "false",
}

_REGION = re.compile(r"^[A-Z]{2}$|^INTL$")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and says how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    tracker_store_db: str
    tracker_store_url: str
    lock_store_url: str
    rasa_workers: int
    event_loop: str
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
    max_message_chars: int
    rasa_api_enabled: bool
    rasa_api_token: str
    erase_api_token: str
    action_host: str
    web_host: str
    web_port: int
    allowed_origins: tuple[str, ...]
    session_secret: str
    tenant_jwt_secret: str
    tenant_token_max_ttl_seconds: int
    encoder_threads: int
    shed_max_in_flight: int
    shed_max_wait_ms: int
    encoder_cache_size: int
    encoder_tuning_cache: Path
    allow_untested_versions: bool

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
        api_enabled = raw["RASA_API_ENABLED"].strip().lower() in ("1", "true", "yes", "on")
        if api_enabled and len(raw["RASA_API_TOKEN"]) < 32:
            raise SettingsError(
                "RASA_API_ENABLED=true needs RASA_API_TOKEN of at least 32 characters: "
                "the API reads and changes every conversation"
            )
        if raw["TRACKER_STORE_URL"] and not (raw["AUDIT_SALT"] and raw["SESSION_SECRET"]):
            # Otherwise each server makes its own: widget sessions break when a
            # visitor reaches another server, and erasure misses the audit rows
            # the other servers hashed.
            raise SettingsError(
                "TRACKER_STORE_URL is set (several servers share the conversations): set AUDIT_SALT and "
                "SESSION_SECRET too, the same on every server (e.g. `openssl rand -hex 32` each)"
            )
        if raw["ERASE_API_TOKEN"] and len(raw["ERASE_API_TOKEN"]) < 32:
            raise SettingsError(
                "ERASE_API_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`): "
                "it erases any conversation"
            )
        if "://" not in raw["DATABASE_URL"]:
            raise SettingsError(
                f"DATABASE_URL must be a SQLAlchemy URL such as sqlite:///var/bot.db, got {raw['DATABASE_URL']!r}"
            )
        return cls(
            database_url=raw["DATABASE_URL"],
            tracker_store_db=raw["TRACKER_STORE_DB"],
            tracker_store_url=raw["TRACKER_STORE_URL"] or f"sqlite:///{raw['TRACKER_STORE_DB']}",
            lock_store_url=raw["LOCK_STORE_URL"],
            rasa_workers=workers(raw["RASA_WORKERS"]),
            event_loop=event_loop(raw["EVENT_LOOP"]),
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
            max_message_chars=as_int("MAX_MESSAGE_CHARS", 100, 100_000),
            rasa_api_enabled=api_enabled,
            rasa_api_token=raw["RASA_API_TOKEN"],
            erase_api_token=raw["ERASE_API_TOKEN"],
            action_host=host("ACTION_HOST", raw["ACTION_HOST"]),
            web_host=host("WEB_HOST", raw["WEB_HOST"]),
            web_port=as_int("WEB_PORT", 1, 65535),
            allowed_origins=origins(raw["ALLOWED_ORIGINS"]),
            session_secret=raw["SESSION_SECRET"],
            tenant_jwt_secret=jwt_secret(raw["TENANT_JWT_SECRET"]),
            tenant_token_max_ttl_seconds=as_int("TENANT_TOKEN_MAX_TTL_SECONDS", 60, 86400),
            encoder_threads=as_int("ENCODER_THREADS", 1, 64),
            shed_max_in_flight=as_int("SHED_MAX_IN_FLIGHT", 1, 10_000),
            shed_max_wait_ms=as_int("SHED_MAX_WAIT_MS", 50, 60_000),
            encoder_cache_size=as_int("ENCODER_CACHE_SIZE", 0, 100_000),
            encoder_tuning_cache=tuning_cache(raw["ENCODER_TUNING_CACHE"]),
            allow_untested_versions=raw["ALLOW_UNTESTED_VERSIONS"].strip().lower() in ("1", "true", "yes", "on"),
        )


def tuning_cache(raw: str) -> Path:
    """ENCODER_TUNING_CACHE, or the user's cache folder (XDG_CACHE_HOME, else ~/.cache).

    Outside the clone, like pip's cache: a fresh clone on a machine that has
    tuned on the same lines takes the encoder from there instead of tuning
    again for several minutes; a new machine, or changed lines, tunes.
    """
    if raw.strip():
        return Path(raw.strip()).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "therapy-faq-assistant" / "encoder-tuned"


def origins(raw: str) -> tuple[str, ...]:
    """``"https://a.org, https://b.org/"`` -> ``("https://a.org", "https://b.org")``.

    Browsers send an Origin without a path or trailing slash; anything else
    could never match, so it is refused here rather than silently ignored.
    """
    found = []
    for item in (part.strip().rstrip("/") for part in raw.split(",")):
        if not item:
            continue
        if not re.match(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$", item):
            raise SettingsError(
                f"ALLOWED_ORIGINS entries must look like https://example.org or http://localhost:8080, got {item!r}"
            )
        found.append(item.lower())
    return tuple(dict.fromkeys(found))


def host(name: str, raw: str) -> str:
    """An address to listen on: an IPv4/IPv6 address or a host name, nothing else."""
    value = raw.strip()
    if not re.match(r"^[A-Za-z0-9.:-]{1,253}$", value):
        raise SettingsError(f"{name} must be an address to listen on such as 127.0.0.1 or 0.0.0.0, got {raw!r}")
    return value


def event_loop(raw: str) -> str:
    """``asyncio`` (default) or ``uvloop``, for the Rasa server (bot.runtime.patches.asyncio_event_loop)."""
    value = raw.strip().lower()
    if value not in ("asyncio", "uvloop"):
        raise SettingsError(f"EVENT_LOOP must be asyncio or uvloop, got {raw!r}")
    return value


def workers(raw: str) -> int:
    """Rasa server worker processes; ``auto`` (the default) is one per core, at most 4.

    One Rasa process answers on one event loop, i.e. one core: on two cores a
    second worker added about 40% capacity, and capacity is what keeps a
    crisis message from queueing behind everyone else's (docs/performance.md).
    More than 4 mostly adds memory (about 0.8 GB each) on a machine that
    would rather run more instances. ``1`` where the widget must fall back to
    long-polling (networks that block WebSockets) or behind a proxy that
    routes conversations to instances.
    """
    value = raw.strip().lower()
    if value == "auto":
        return max(1, min(os.cpu_count() or 1, 4))
    try:
        count = int(value)
    except ValueError:
        raise SettingsError(f"RASA_WORKERS must be auto or a whole number from 1 to 16, got {raw!r}") from None
    if not 1 <= count <= 16:
        raise SettingsError(f"RASA_WORKERS must be auto or a whole number from 1 to 16, got {count}")
    return count


def jwt_secret(raw: str) -> str:
    # HS256 with a short key is guessable offline from one captured token.
    if raw and len(raw) < 32:
        raise SettingsError("TENANT_JWT_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)")
    return raw


def local_secret(name: str, configured: str = "") -> str:
    """``configured`` if set, else a random secret kept in ``var/<name>``.

    Stable across restarts on one machine and never derivable from the repo.
    Several instances behind a proxy must share one value: set it in .env.
    """
    if configured:
        return configured
    path = ROOT / "var" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together must not write two different secrets.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_hex(32))
    for _ in range(50):
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
        time.sleep(0.01)  # the other process is between create and write
    raise SettingsError(f"{path} is empty: delete it and start again")


def _load() -> Settings:
    load_dotenv(ROOT / ".env", override=False)
    return Settings.from_env()


def get_settings() -> Settings:
    """The process-wide settings, loaded on first use (never at import time); tests reload them with ``wiring.reload_settings()``."""
    return wiring.get(wiring.SETTINGS, _load)


def export_defaults() -> None:
    """Put every setting into ``os.environ`` so Rasa's ``${VAR}`` substitution always resolves."""
    load_dotenv(ROOT / ".env", override=False)
    for name, default in DEFAULTS.items():
        if not os.environ.get(name):
            os.environ[name] = default



def settings_or_exit() -> Settings:
    """The settings, for a command that is starting: a malformed one stops it with one line and exit status 2.

    Every entry point (``bot.runtime.run``, ``bot.runtime.rasa_cli``, ``bot.runtime.web``,
    ``python -m bot.storage``, ``python -m bot.core.settings exec``) starts with this,
    so a bad setting reads the same everywhere and nothing starts half-configured.
    """
    import sys

    try:
        return get_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.core.settings exec CMD ...``: run a Rasa command with every ``${VAR}`` resolvable."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2 or args[0] != "exec":
        print("usage: python -m bot.core.settings exec COMMAND [ARGS...]", file=sys.stderr)
        return 2
    settings_or_exit()
    export_defaults()
    os.execvp(args[1], args[1:])
    return 0  # pragma: no cover - execvp does not return


if __name__ == "__main__":
    raise SystemExit(main())
