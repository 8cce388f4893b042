"""Fixtures shared by unit tests: a crisis classifier on the real data, and the socket.io channel's tenant."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core import wiring

SECRET = "k" * 64
JWT_SECRET = "t" * 40
PAGE = "http://localhost:8080"
PORTAL = "https://portal.acme.example"


@pytest.fixture(scope="session")
def classifier() -> Any:
    """A crisis classifier trained on every fourth training message (fast, and still the real data and encoder)."""
    from bot.understanding.crisis_data import TRAIN_DIR, load
    from bot.understanding.crisis_model import CrisisClassifier, ModelOptions
    from bot.understanding.encoder import get_encoder

    examples = load(TRAIN_DIR)[::4]
    texts = [e.text for e in examples]
    return CrisisClassifier(ModelOptions(c=4.0)).fit(texts, get_encoder().encode(texts), [e.category for e in examples])


@pytest.fixture()
def tenant_db(use_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with one EAP tenant whose portal is PORTAL, and a token key."""
    from bot.storage.session import session_factory
    from bot.tenants import directory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    monkeypatch.setenv("TENANT_JWT_SECRET", JWT_SECRET)
    wiring.reload_settings()
    directory.clear_cache()
    acme = make_tenant(
        "acme", "Acme Ltd", "+1 800 555 0100", display_name="Acme Wellbeing", eap_hours="24/7",
        allowed_origins=[PORTAL], primary_colour="#7a1f5c",
    )
    with session_factory(use_db).begin() as session:
        TenantRepository(session).save(acme)
    yield use_db
    directory.clear_cache()
