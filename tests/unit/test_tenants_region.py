"""An organisation's fixed region: only from its tenant record, never from what a client sends."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.channels.guard import allowed_metadata
from bot.channels.rest import read_message, with_tenant
from bot.channels.socketio import clean_metadata
from bot.core import wiring
from bot.tenants import directory
from bot.tenants.__main__ import main as cli
from bot.tenants.model import TenantError, make_tenant
from bot.tenants.repository import TenantRepository
from bot.tenants.tokens import issue_token
from bot.understanding.context import ContextExtractor
from tests.unit.conftest import JWT_SECRET

FORGED = {"region": "IE", "region_fixed": True, "locale": "en-US"}


def entity(message: Message, name: str):
    return next((e["value"] for e in message.get("entities") or [] if e["entity"] == name), None)


def extract(text: str, metadata: dict) -> Message:
    m = Message(data={"text": text, "metadata": metadata})
    ContextExtractor({}).process([m])
    return m


def save(url: str, *tenants) -> None:
    from bot.storage.session import session_factory

    with session_factory(url).begin() as session:
        for tenant in tenants:
            TenantRepository(session).save(tenant)
    directory.clear_cache()


@pytest.fixture()
def region_db(tenant_db: str) -> str:
    """tenant_db's "acme" (no region) plus "acme-ie", whose visitors are all in Ireland."""
    save(tenant_db, make_tenant("acme-ie", "Acme Ireland", "+353 1 555 0100", region="ie", region_fixed=True))
    return tenant_db


# --- the record -------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"region": "Ireland"}, "two-letter ISO 3166"),
        ({"region": "I3"}, "two-letter ISO 3166"),
        ({"region": "uk"}, "GB for the United Kingdom"),
        ({"region_fixed": True}, "region_fixed needs a region"),
        ({"region": "IE", "region_fixed": "yes"}, "true or false"),
    ],
)
def test_a_bad_region_is_refused_with_its_name(kwargs: dict, message: str) -> None:
    with pytest.raises(TenantError, match=message):
        make_tenant("acme", "Acme", "+1 800 555 0100", **kwargs)


def test_the_region_is_a_capitalised_code_and_fixed_only_when_said() -> None:
    fixed = make_tenant("acme", "Acme", "+1 800 555 0100", region=" ie ", region_fixed=True)
    assert (fixed.region, fixed.region_fixed) == ("IE", True)
    assert fixed.fixed_region_metadata() == {"region": "IE", "region_fixed": True}
    plain = make_tenant("acme", "Acme", "+1 800 555 0100", region="IE")
    assert plain.fixed_region_metadata() == {} and make_tenant("acme", "Acme", "+1 800 555 0100").region == ""
    assert fixed.public()["fixed_region"] == "IE" and plain.public()["fixed_region"] is None


def test_the_region_is_stored_and_read_back(region_db: str) -> None:
    assert directory.get_tenant("acme-ie").fixed_region_metadata() == {"region": "IE", "region_fixed": True}
    assert directory.get_tenant("acme").fixed_region_metadata() == {}
    save(region_db, make_tenant("acme-ie", "Acme Ireland", "+353 1 555 0100", region="IE"))  # no longer fixed
    assert directory.fixed_region_metadata("acme-ie") == {}


# --- the channels -------------------------------------------------------------------

def test_a_forged_region_fixed_from_a_client_is_dropped_on_every_channel() -> None:
    assert allowed_metadata(FORGED) == {"region": "IE", "locale": "en-US"}
    body = json.dumps({"sender": "visitor-1", "message": "hi", "metadata": FORGED}).encode()
    assert read_message(body)[2] == {"region": "IE", "locale": "en-US"}
    assert with_tenant(dict(FORGED), None) == {"region": "IE", "locale": "en-US"}
    assert clean_metadata(FORGED, None) == {"region": "IE", "locale": "en-US"}
    assert clean_metadata(json.dumps(FORGED), None) == {"region": "IE", "locale": "en-US"}
    # What the extractor then sees: the page's region is a channel region the visitor's words outrank.
    m = extract("i'm in the uk", read_message(body)[2])
    assert entity(m, "fixed_region") is None and entity(m, "region") == "GB" and entity(m, "channel_region") == "IE"


def test_a_forged_flag_does_not_survive_a_tenant_without_a_fixed_region(region_db: str) -> None:
    metadata = with_tenant(allowed_metadata(FORGED) | {"region_fixed": True}, issue_token("acme"))
    assert metadata == {"region": "IE", "locale": "en-US", "tenant": "acme"}
    m = extract("i'm in the uk", metadata)
    assert entity(m, "fixed_region") is None and entity(m, "region") == "GB"


def test_a_verified_tenant_with_a_fixed_region_outranks_what_its_visitors_say(region_db: str) -> None:
    metadata = with_tenant({"region": "US", "locale": "en-US"}, issue_token("acme-ie"))
    assert metadata == {"region": "IE", "locale": "en-US", "tenant": "acme-ie", "region_fixed": True}
    m = extract("i'm in the uk", metadata)
    assert entity(m, "fixed_region") == "IE" and entity(m, "region") == "GB" and entity(m, "tenant") == "acme-ie"


def test_a_removed_fixed_region_reaches_the_channels_after_the_cache(region_db: str) -> None:
    token = issue_token("acme-ie")
    save(region_db, make_tenant("acme-ie", "Acme Ireland", "+353 1 555 0100"))
    assert with_tenant({"locale": "en-GB"}, token) == {"locale": "en-GB", "tenant": "acme-ie"}


# --- the CLI --------------------------------------------------------------------------

def test_the_cli_sets_and_shows_a_fixed_region(tenant_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["add", "globex-ie", "--name", "Globex Ireland", "--eap-phone", "+353 1 555 0199",
                "--region", "ie", "--region-fixed"]) == 0
    assert "always get IE's helplines" in capsys.readouterr().out
    assert cli(["list"]) == 0
    listed = {t["slug"]: t for t in map(json.loads, capsys.readouterr().out.splitlines())}
    assert (listed["globex-ie"]["region"], listed["globex-ie"]["region_fixed"]) == ("IE", True)
    assert (listed["acme"]["region"], listed["acme"]["region_fixed"]) == (None, False)
    directory.clear_cache()
    assert directory.fixed_region_metadata("globex-ie") == {"region": "IE", "region_fixed": True}
    assert cli(["add", "globex-ie", "--name", "Globex Ireland", "--eap-phone", "+353 1 555 0199", "--region-fixed"]) == 2
    assert "region_fixed needs a region" in capsys.readouterr().err
    assert cli(["add", "globex-ie", "--name", "Globex Ireland", "--eap-phone", "+353 1 555 0199", "--region", "IE"]) == 0
    capsys.readouterr()
    assert cli(["list"]) == 0 and '"region": "IE", "region_fixed": false' in capsys.readouterr().out


# --- a database from before the columns ---------------------------------------------------

OLD_TENANTS = """CREATE TABLE tenants (
    slug VARCHAR(64) NOT NULL PRIMARY KEY, name VARCHAR(160) NOT NULL, display_name VARCHAR(160) NOT NULL,
    eap_phone VARCHAR(40) NOT NULL, eap_hours VARCHAR(80) NOT NULL, portal_url VARCHAR(300) NOT NULL,
    allowed_origins JSON NOT NULL, extra_resources JSON NOT NULL, primary_colour VARCHAR(7) NOT NULL,
    accent_colour VARCHAR(7) NOT NULL, created_at DATETIME NOT NULL)"""


def old_database(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        conn.execute(OLD_TENANTS)
        conn.execute(
            "INSERT INTO tenants VALUES ('acme', 'Acme Ltd', 'Acme Wellbeing', '+1 800 555 0100', '24/7', '',"
            " '[\"https://portal.acme.example\"]', '[]', '#7a1f5c', '#f2f6f9', '2026-01-01 00:00:00')"
        )
    return f"sqlite:///{path}"


def test_an_existing_database_without_the_new_columns_still_loads(tmp_path: Path) -> None:
    from bot.storage.seed import init_db
    from bot.storage.session import session_factory

    url = old_database(tmp_path / "old.db")
    init_db(url)
    assert init_db(url) == init_db(url)  # idempotent once the columns are there
    with session_factory(url).begin() as session:
        acme = TenantRepository(session).get("acme")
    assert acme is not None and acme.allowed_origins == ("https://portal.acme.example",)
    assert (acme.region, acme.region_fixed) == ("", False)
    save(url, make_tenant("acme", "Acme Ltd", "+1 800 555 0100", region="IE", region_fixed=True))
    with session_factory(url).begin() as session:
        assert TenantRepository(session).get("acme").fixed_region_metadata() == {"region": "IE", "region_fixed": True}


def test_a_server_on_an_old_database_still_finds_its_tenants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The code updated before anyone ran ``python -m bot.storage init``: tenant tokens keep working."""
    url = old_database(tmp_path / "old.db")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TENANT_JWT_SECRET", JWT_SECRET)
    wiring.reload_settings()
    directory.clear_cache()
    try:
        assert with_tenant({"region": "GB"}, issue_token("acme")) == {"region": "GB", "tenant": "acme"}
    finally:
        directory.clear_cache()
        wiring.reload_settings()
