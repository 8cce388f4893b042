"""The socket.io channel as functions: signed session ids, origin checks, metadata.
Over a real socket.io connection: test_socket_connection.py."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.channels import socketio as channel
from bot.channels.socketio import (
    clean_metadata,
    new_session_id,
    origin_allowed,
    verify_session_id,
)
from bot.core import wiring
from tests.unit.conftest import PORTAL, SECRET

# --- session ids ---------------------------------------------------------------


def test_issued_id_verifies_to_its_random_part() -> None:
    session_id = new_session_id(SECRET)
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", session_id)
    assert verify_session_id(session_id, SECRET) == session_id.split(".")[0]


def test_issued_ids_differ() -> None:
    assert len({new_session_id(SECRET) for _ in range(50)}) == 50


@pytest.mark.parametrize(
    "forge",
    [
        lambda sid: sid.split(".")[0],  # the conversation id without a signature
        lambda sid: sid.split(".")[0] + "." + "0" * 32,  # a guessed signature
        lambda sid: ("f" if sid[0] != "f" else "e") + sid[1:],  # another conversation, same signature
        lambda sid: sid[:-1] + ("0" if sid[-1] != "0" else "1"),  # one character off
        lambda sid: sid.upper(),
        lambda sid: sid + ".extra",
        lambda sid: " " + sid,
        lambda sid: "",
        lambda sid: None,
        lambda sid: 12345,
        lambda sid: {"session_id": sid},
    ],
)
def test_forged_or_malformed_ids_are_refused(forge: Any) -> None:
    assert verify_session_id(forge(new_session_id(SECRET)), SECRET) is None


def test_id_signed_with_another_secret_is_refused() -> None:
    assert verify_session_id(new_session_id("x" * 64), SECRET) is None


def test_a_uuid_like_rasa_issues_is_refused() -> None:
    import uuid

    assert verify_session_id(uuid.uuid4().hex, SECRET) is None


# --- origins ---------------------------------------------------------------------


ALLOWED = ("http://localhost:8080", "https://portal.acme.example")


@pytest.mark.parametrize("origin", ["http://localhost:8080", "HTTP://LOCALHOST:8080", "https://portal.acme.example/"])
def test_listed_origins_are_allowed(origin: str) -> None:
    assert origin_allowed(origin, ALLOWED)


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:8081",  # another port
        "https://localhost:8080",  # another scheme
        "http://evil.example",
        "https://portal.acme.example.evil.example",  # a suffix is not a match
        "https://evil.portal.acme.example",  # nor is a subdomain
        "null",  # sandboxed frames and file:// pages
        "",
        None,
        42,
    ],
)
def test_other_origins_are_refused(origin: Any) -> None:
    assert not origin_allowed(origin, ALLOWED)


def test_allowed_origins_are_the_setting_plus_every_tenant_portal(tenant_db: str, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setenv("ALLOWED_ORIGINS", "https://therapy-faq.example")
    wiring.reload_settings()
    assert channel.allowed_origins() == {"https://therapy-faq.example", PORTAL}
    assert channel.cors_check(PORTAL) and channel.cors_check("https://therapy-faq.example")
    assert not channel.cors_check("http://localhost:8080")  # the default is replaced, not extended


# --- metadata ----------------------------------------------------------------------


def test_a_client_cannot_choose_a_tenant() -> None:
    assert clean_metadata({"tenant": "acme", "region": "GB"}, None) == {"region": "GB"}
    assert clean_metadata({"tenant": "other", "locale": "en-GB"}, "acme") == {"locale": "en-GB", "tenant": "acme"}


def test_metadata_as_a_json_string_like_rasa_accepts() -> None:
    assert clean_metadata('{"region": "IE", "tenant": "x"}', None) == {"region": "IE"}
    assert clean_metadata("{not json", "acme") == {"tenant": "acme"}


def test_only_allow_listed_metadata_is_kept() -> None:
    raw = {"nested": {"a": 1}, "list": [1], "long": "x" * 1000, "k" * 100: "v", "n": 3, "region": "GB",
           "locale": "en-GB", **{f"f{i}": i for i in range(40)}}
    assert clean_metadata(raw, None) == {"region": "GB", "locale": "en-GB"}
    assert clean_metadata({"region": "G" * 100, "locale": ["en"]}, None) == {}
    assert clean_metadata(["region", "GB"], None) == {}
    assert clean_metadata("[" * 5000 + "]" * 5000, "acme") == {"tenant": "acme"}
