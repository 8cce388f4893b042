from pathlib import Path

import pytest

from bot.core import wiring
from bot.core.settings import DEFAULTS, ROOT, Settings, SettingsError


def test_defaults_work_on_a_fresh_machine() -> None:
    s = Settings.from_env({})
    assert s.default_region == "US"
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("var/bot.db")
    assert s.retention_days == 30
    assert s.rasa_port == 5005 and s.action_port == 5055


def test_tuned_encoders_are_kept_outside_the_clone_unless_a_folder_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings.from_env({}).encoder_tuning_cache == tmp_path / "xdg" / "therapy-faq-assistant" / "encoder-tuned"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert Settings.from_env({}).encoder_tuning_cache.is_relative_to(Path.home() / ".cache")
    assert not Settings.from_env({}).encoder_tuning_cache.is_relative_to(ROOT)  # a fresh clone finds it too
    named = Settings.from_env({"ENCODER_TUNING_CACHE": str(tmp_path / "tuned")})
    assert named.encoder_tuning_cache == tmp_path / "tuned"


def test_environment_overrides_defaults() -> None:
    s = Settings.from_env({"DEFAULT_REGION": "gb", "RETENTION_DAYS": "7", "ACTION_TIMEOUT_SECONDS": "2.5"})
    assert s.default_region == "GB"
    assert s.retention_days == 7
    assert s.action_timeout_seconds == 2.5


@pytest.mark.parametrize(
    "env, names",
    [
        ({"DEFAULT_REGION": "United Kingdom"}, "DEFAULT_REGION"),
        ({"RETENTION_DAYS": "thirty"}, "RETENTION_DAYS"),
        ({"RETENTION_DAYS": "0"}, "RETENTION_DAYS"),
        ({"RASA_PORT": "99999"}, "RASA_PORT"),
        ({"DATABASE_URL": "var/bot.db"}, "DATABASE_URL"),
        ({"ACTION_TIMEOUT_SECONDS": "soon"}, "ACTION_TIMEOUT_SECONDS"),
    ],
)
def test_bad_values_fail_fast_naming_the_setting(env: dict, names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_settings_are_frozen() -> None:
    s = Settings.from_env({})
    with pytest.raises(AttributeError):
        s.default_region = "GB"  # type: ignore[misc]


def test_env_example_documents_every_variable() -> None:
    from bot.core.settings import ROOT

    text = (ROOT / ".env.example").read_text()
    missing = [name for name in DEFAULTS if f"{name}=" not in text]
    assert not missing, f".env.example does not document {missing}"


def test_rasa_endpoints_resolve_every_variable(monkeypatch) -> None:
    """Rasa substitutes ${VAR} only in unquoted values; a quoted one stays literal and breaks silently."""
    from rasa.core.utils import AvailableEndpoints

    from bot.core.settings import ROOT, export_defaults

    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5999/webhook")
    monkeypatch.setenv("TRACKER_STORE_DB", "/tmp/some-tracker.db")
    export_defaults()
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    assert endpoints.action.url == "http://127.0.0.1:5999/webhook"
    assert endpoints.tracker_store.kwargs["db"] == "/tmp/some-tracker.db"
    assert endpoints.nlg.type == "bot.conversation.nlg.ContextualNLG"


def test_the_rasa_command_sends_nothing_out() -> None:
    """Rasa's crash reporter would start from its bundled key even with telemetry off."""
    import sentry_sdk

    from bot.runtime.rasa_cli import disable_outbound

    disable_outbound()
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting()
    assert sentry_sdk.Hub.current.client is None
    assert not rasa.telemetry.is_telemetry_enabled()


def test_the_http_api_cannot_be_enabled_without_a_long_token() -> None:
    from bot.core.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="RASA_API_TOKEN"):
        Settings.from_env({"RASA_API_ENABLED": "true", "RASA_API_TOKEN": "short"})
    on = Settings.from_env({"RASA_API_ENABLED": "true", "RASA_API_TOKEN": "t" * 40})
    assert on.rasa_api_enabled and not Settings.from_env({}).rasa_api_enabled


def test_rasa_is_started_with_the_api_off_cors_limited_and_no_secret_in_its_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.runtime.run import rasa_server_cmd

    monkeypatch.setenv("ALLOWED_ORIGINS", "https://portal.example.org")
    monkeypatch.delenv("RASA_API_ENABLED", raising=False)
    wiring.reload_settings()
    try:
        cmd = rasa_server_cmd(5005)
        assert "--enable-api" not in cmd and cmd[cmd.index("--cors") + 1] == "https://portal.example.org"
        assert cmd[1:3] == ["-m", "bot.runtime.rasa_cli"]
        monkeypatch.setenv("RASA_API_ENABLED", "true")
        monkeypatch.setenv("RASA_API_TOKEN", "t" * 40)
        wiring.reload_settings()
        cmd = rasa_server_cmd(5005)
        # The token reaches Rasa inside the process (bot.runtime.rasa_cli), never on a command line `ps` shows.
        assert "t" * 40 not in " ".join(cmd) and "--auth-token" not in cmd
    finally:
        wiring.reload_settings()


@pytest.mark.parametrize("command", [
    ["bot.runtime.run"], ["bot.runtime.web"], ["bot.runtime.rasa_cli", "--version"], ["bot.storage", "init"], ["bot.core.settings", "exec", "true"],
])
def test_every_entry_point_stops_on_a_bad_setting_with_one_line(command: list[str], tmp_path) -> None:
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT), "RASA_PORT": "not-a-port"}
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "error: RASA_PORT must be a whole number, got 'not-a-port'"


def test_settings_and_what_is_built_from_them_are_kept_in_the_wiring(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from bot.core.settings import get_settings
    from bot.storage.session import get_engine

    first = tmp_path / "a.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{first}")
    wiring.reload_settings()
    try:
        settings, engine = get_settings(), get_engine()
        assert get_settings() is settings and get_engine() is engine  # one of each per process
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'b.db'}")
        assert get_settings() is settings  # a running process reads its settings once
        wiring.reload_settings()
        assert get_settings().database_url.endswith("b.db") and get_engine() is not engine
        assert str(get_engine().url).endswith("b.db")
    finally:
        monkeypatch.undo()
        wiring.reload_settings()


def test_the_rasa_server_queues_a_burst_of_connections(monkeypatch) -> None:
    """Rasa's own accept queue (100) overflows in a burst; the retry would come after a crisis reply's second."""
    from bot.runtime.run import rasa_env

    monkeypatch.delenv("SANIC_BACKLOG", raising=False)
    assert rasa_env()["SANIC_BACKLOG"] == "1024"
    monkeypatch.setenv("SANIC_BACKLOG", "4096")
    assert rasa_env()["SANIC_BACKLOG"] == "4096"


def test_the_event_loop_is_asyncio_unless_uvloop_is_asked_for() -> None:
    from bot.core.settings import Settings, SettingsError

    assert Settings.from_env({}).event_loop == "asyncio"
    assert Settings.from_env({"EVENT_LOOP": " UVLoop "}).event_loop == "uvloop"
    with pytest.raises(SettingsError, match="EVENT_LOOP"):
        Settings.from_env({"EVENT_LOOP": "trio"})


def test_the_rasa_server_is_built_without_uvloop(monkeypatch) -> None:
    """uvloop stopped accepting new connections under a surge (docs/performance.md)."""
    import rasa.core.run

    from bot.runtime.patches import asyncio_event_loop

    seen: dict = {}

    def configure_app(*args, use_uvloop=True, **kwargs):  # Rasa's own default is True
        seen["use_uvloop"] = use_uvloop

    monkeypatch.setattr(rasa.core.run, "configure_app", configure_app)
    asyncio_event_loop()
    rasa.core.run.configure_app(None, None)
    assert seen == {"use_uvloop": False}
    asyncio_event_loop()  # twice wraps once
    assert getattr(rasa.core.run.configure_app, "__wrapped__", None) is configure_app
