import pytest

from bot.settings import DEFAULTS, Settings, SettingsError


def test_defaults_work_on_a_fresh_machine() -> None:
    s = Settings.from_env({})
    assert s.default_region == "US"
    assert s.database_url.startswith("sqlite:///") and s.database_url.endswith("var/bot.db")
    assert s.retention_days == 30
    assert s.rasa_port == 5005 and s.action_port == 5055


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
    from bot.settings import ROOT

    text = (ROOT / ".env.example").read_text()
    missing = [name for name in DEFAULTS if f"{name}=" not in text]
    assert not missing, f".env.example does not document {missing}"


def test_rasa_endpoints_resolve_every_variable(monkeypatch) -> None:
    """Rasa substitutes ${VAR} only in unquoted values; a quoted one stays literal and breaks silently."""
    from rasa.core.utils import AvailableEndpoints

    from bot.settings import ROOT, export_defaults

    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:5999/webhook")
    monkeypatch.setenv("TRACKER_STORE_DB", "/tmp/some-tracker.db")
    export_defaults()
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    assert endpoints.action.url == "http://127.0.0.1:5999/webhook"
    assert endpoints.tracker_store.kwargs["db"] == "/tmp/some-tracker.db"
    assert endpoints.nlg.type == "bot.nlg.ContextualNLG"
