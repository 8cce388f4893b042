"""An EAP portal's visitor, end to end on the trained model: the organisation
(put in metadata by a channel from a verified token) reaches the conversation
as a slot and adds its EAP line; the public conversation stays unchanged."""

from __future__ import annotations

import time
from datetime import date

import pytest

from bot.tenants import directory
from bot.tenants.model import make_tenant


@pytest.fixture(scope="module")
def acme(agent, seeded_db: str) -> str:
    from bot.storage.session import session_factory
    from bot.tenants.repository import TenantRepository

    with session_factory(seeded_db).begin() as s:
        TenantRepository(s).save(make_tenant("acme-e2e", "Acme Ltd", "+1 800 555 0100", eap_hours="24/7"))
    directory.clear_cache()
    return "acme-e2e"


def test_cost_question_offers_the_employers_free_eap(chat, acme: str) -> None:
    portal = chat({"tenant": acme})
    reply = portal.text("how much does therapy cost?")
    assert "Your employer's EAP, Acme Ltd, offers free, confidential sessions: call" in reply
    assert "+1 800 555 0100" in reply
    public = chat().text("how much does therapy cost?")
    assert "Acme" not in public and "employer's EAP, " not in public


def test_crisis_reply_gives_988_first_then_the_eap_line_and_the_tenant_persists(chat, acme: str) -> None:
    portal = chat({"tenant": acme})
    portal.text("hi")
    portal.metadata = None  # later messages need not repeat it: the slot carries the organisation
    reply = portal.text("I want to kill myself")
    assert "988" in reply and "Acme Ltd EAP" in reply
    assert reply.index("988") < reply.index("Acme Ltd EAP")
    assert portal.tracker().get_slot("tenant") == acme


def test_a_hand_off_is_audited_once_after_the_reply_with_the_organisation(chat, acme: str, seeded_db: str) -> None:
    from sqlalchemy import select

    from bot.storage.audit import hash_sender
    from bot.storage.models import CrisisEvent
    from bot.storage.session import session_factory

    portal = chat({"tenant": acme})
    assert "988" in portal.text("I want to kill myself")  # each turn's worker threads finish with it
    with session_factory(seeded_db).begin() as s:
        rows = s.scalars(select(CrisisEvent).where(CrisisEvent.sender_hash == hash_sender(portal.sender))).all()
        got = [(r.tenant, r.category, r.region) for r in rows]
    assert got == [(acme, "suicide", "US")]


def test_the_organisations_counters_move_without_text(chat, acme: str, seeded_db: str) -> None:
    from bot.storage.session import session_factory
    from bot.tenants.repository import TenantRepository

    def counts() -> dict:
        with session_factory(seeded_db).begin() as s:
            rows = TenantRepository(s).counts(acme, date(2000, 1, 1))
        return {(r.kind, r.topic): r.count for r in rows}

    before = counts()
    chat({"tenant": acme}).text("what is an EAP?")
    for _ in range(50):  # counters are written off the event loop
        after = counts()
        if after.get(("topic", "eap"), 0) > before.get(("topic", "eap"), 0):
            break
        time.sleep(0.05)
    assert after.get(("topic", "eap"), 0) == before.get(("topic", "eap"), 0) + 1
    assert after.get(("conversation", ""), 0) == before.get(("conversation", ""), 0) + 1


def test_delete_my_data_erases_the_stored_conversation(chat) -> None:
    visitor = chat()
    visitor.text("what is CBT?")
    assert "delete" in visitor.text("delete my data").lower()
    assert visitor.tracker() is not None
    assert "erased" in visitor.text("yes")
    assert visitor.tracker() is None
    # the visitor can simply go on: a fresh conversation starts
    assert "988" in visitor.text("I want to end my life")
