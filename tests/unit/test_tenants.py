"""EAP tenants: the model's validation, the repository on a real SQLite file,
signed tokens, the organisation's lines in replies, and the anonymous report."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import jwt
import pytest
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core import wiring
from bot.tenants import directory
from bot.tenants.__main__ import main as cli
from bot.tenants.model import TenantError, make_tenant
from bot.tenants.repository import TenantRepository
from bot.tenants.tokens import TokenError, issue_token, verify_token

SECRET = "s" * 40


@pytest.fixture()
def tenants_db(use_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The per-test database with one organisation, and a token key configured."""
    from bot.storage.session import session_factory

    monkeypatch.setenv("TENANT_JWT_SECRET", SECRET)
    wiring.reload_settings()
    directory.clear_cache()
    acme = make_tenant(
        "acme", "Acme Ltd", "+1 800 555 0100", display_name="Acme Wellbeing", eap_hours="24/7",
        allowed_origins=["https://portal.acme.example/"],
        extra_resources=[{"name": "Acme peer supporters", "url": "https://portal.acme.example/peers"}],
    )
    with session_factory(use_db).begin() as session:
        TenantRepository(session).save(acme)
    yield use_db
    directory.clear_cache()
    wiring.reload_settings()


# --- validation -----------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"slug": "A"}, "slug"),
        ({"slug": "bad slug!"}, "slug"),
        ({"name": " "}, "name"),
        ({"eap_phone": "call us"}, "EAP phone"),
        ({"primary_colour": "blue"}, "primary colour"),
        ({"allowed_origins": ["portal.acme.example"]}, "allowed origin"),
        ({"allowed_origins": ["https://portal.acme.example/path"]}, "allowed origin"),
        ({"extra_resources": [{"name": "No way to reach"}]}, "phone or a url"),
        ({"extra_resources": [{"name": "X", "url": "javascript:alert(1)"}]}, "https"),
        ({"portal_url": "ftp://x"}, "portal URL"),
    ],
)
def test_invalid_fields_are_refused_with_their_name(kwargs: dict, field: str) -> None:
    args = {"slug": "acme", "name": "Acme", "eap_phone": "+1 800 555 0100", **kwargs}
    with pytest.raises(TenantError, match=field):
        make_tenant(args.pop("slug"), args.pop("name"), args.pop("eap_phone"), **args)


def test_origins_are_normalised_and_the_public_view_hides_them() -> None:
    t = make_tenant("acme", "Acme", "0800 123 456", allowed_origins=["HTTPS://Portal.Acme.example/", "https://portal.acme.example"])
    assert t.allowed_origins == ("https://portal.acme.example",)
    assert "allowed_origins" not in t.public() and t.public()["eap_line"] == "Acme EAP — call 0800 123 456"


# --- repository ---------------------------------------------------------------------

def test_crud_on_a_real_database(tenants_db: str) -> None:
    from bot.storage.session import session_factory

    with session_factory(tenants_db).begin() as s:
        repo = TenantRepository(s)
        assert [t.slug for t in repo.list()] == ["acme"]
        got = repo.get("acme")
        assert got is not None and got.eap_phone == "+1 800 555 0100" and got.allowed_origins == ("https://portal.acme.example",)
        assert repo.save(make_tenant("acme", "Acme Ltd", "+1 800 555 0199")) is False
        assert repo.save(make_tenant("globex", "Globex", "+44 20 7946 0000")) is True
    with session_factory(tenants_db).begin() as s:
        repo = TenantRepository(s)
        assert repo.get("acme").eap_phone == "+1 800 555 0199"
        repo.count("globex", "crisis")
        assert repo.remove("globex") is True and repo.remove("globex") is False
    with session_factory(tenants_db).begin() as s:
        assert [t.slug for t in TenantRepository(s).list()] == ["acme"]
        assert TenantRepository(s).counts("globex", date(2000, 1, 1)) == []


def test_counters_add_up_in_one_row_per_day_kind_and_topic(tenants_db: str) -> None:
    from bot.storage.session import session_factory

    for _ in range(3):
        with session_factory(tenants_db).begin() as s:
            TenantRepository(s).count("acme", "topic", "eap")
    with session_factory(tenants_db).begin() as s:
        rows = TenantRepository(s).counts("acme", date(2000, 1, 1))
        assert [(r.kind, r.topic, r.count) for r in rows] == [("topic", "eap", 3)]
        with pytest.raises(ValueError):
            TenantRepository(s).count("acme", "message_text")


def test_allowed_origins_come_from_every_tenant(tenants_db: str) -> None:
    assert directory.allowed_origins() == frozenset({"https://portal.acme.example"})
    assert directory.get_tenant("acme").display_name == "Acme Wellbeing"
    assert directory.get_tenant("nobody") is None and directory.get_tenant(None) is None


# --- tokens -------------------------------------------------------------------------

def test_a_valid_token_names_its_tenant(tenants_db: str) -> None:
    assert verify_token(issue_token("acme", 600)) == "acme"


def test_an_expired_token_is_refused(tenants_db: str) -> None:
    old = issue_token("acme", 600, now=time.time() - 3600)
    with pytest.raises(TokenError) as err:
        verify_token(old)
    assert err.value.code == "expired" and "reload" in err.value.message


def test_a_token_signed_with_another_key_is_refused(tenants_db: str) -> None:
    forged = issue_token("acme", 600, secret="x" * 40)
    with pytest.raises(TokenError) as err:
        verify_token(forged)
    assert err.value.code == "invalid"


def test_a_tampered_token_is_refused(tenants_db: str) -> None:
    header, payload, signature = issue_token("acme", 600).split(".")
    other = jwt.encode({"tenant": "globex", "iat": 1, "exp": 2}, "k" * 40, algorithm="HS256").split(".")[1]
    for token in (f"{header}.{other}.{signature}", f"{header}.{payload}.{signature[:-2]}xx", "not-a-token", ""):
        with pytest.raises(TokenError) as err:
            verify_token(token)
        assert err.value.code == "invalid"


def test_alg_none_and_other_algorithms_are_refused(tenants_db: str) -> None:
    now = int(time.time())
    unsigned = jwt.encode({"tenant": "acme", "iat": now, "exp": now + 60}, None, algorithm="none")
    hs512 = jwt.encode({"tenant": "acme", "iat": now, "exp": now + 60}, SECRET * 2, algorithm="HS512")
    for token in (unsigned, hs512):
        with pytest.raises(TokenError):
            verify_token(token)


def test_an_unknown_tenant_is_refused(tenants_db: str) -> None:
    with pytest.raises(TokenError) as err:
        verify_token(issue_token("globex", 600))
    assert err.value.code == "unknown_tenant"


def test_long_lived_tokens_and_missing_claims_are_refused(tenants_db: str) -> None:
    with pytest.raises(TokenError, match="too long"):
        verify_token(issue_token("acme", 30 * 86400))
    no_exp = jwt.encode({"tenant": "acme", "iat": int(time.time())}, SECRET, algorithm="HS256")
    with pytest.raises(TokenError) as err:
        verify_token(no_exp)
    assert err.value.code == "invalid"


def test_without_a_key_tokens_are_refused_plainly(use_db: str, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setenv("TENANT_JWT_SECRET", "")
    wiring.reload_settings()
    with pytest.raises(TokenError) as err:
        verify_token("anything")
    assert err.value.code == "not_configured"


def test_a_short_key_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.core.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="TENANT_JWT_SECRET"):
        Settings.from_env({"TENANT_JWT_SECRET": "short"})


# --- the organisation in replies ---------------------------------------------------------

def _render(name: str, tenant: str | None, channel: str = "telegram", events: list | None = None) -> dict:
    from bot.conversation.nlg import ContextualNLG
    from tests.unit.test_crisis_responses import domain

    evts = list(events or [])
    if tenant:
        evts.append(SlotSet("tenant", tenant))
    t = DialogueStateTracker.from_events("visitor", evts, slots=domain().slots)
    return asyncio.run(ContextualNLG(domain=domain()).generate(name, t, channel))


def test_crisis_reply_keeps_988_first_and_adds_the_eap_line(tenants_db: str) -> None:
    public = _render("utter_crisis_suicide", None)["text"]
    text = _render("utter_crisis_suicide", "acme")["text"]
    assert text.startswith(public) and text.index("988") < text.index("Acme Wellbeing EAP")
    assert "call +1 800 555 0100 (24/7)" in text and "Acme peer supporters" in text
    assert "Acme" not in public


def test_cost_and_eap_answers_mention_the_free_eap(tenants_db: str) -> None:
    for topic in ("eap", "costs_insurance", "low_cost_options"):
        text = _render(f"utter_faq/{topic}", "acme")["text"]
        assert "Your employer's EAP, Acme Wellbeing, offers free, confidential sessions: call +1 800 555 0100" in text
    assert "Acme" not in _render("utter_faq/cbt", "acme")["text"]


def test_an_unknown_or_removed_tenant_leaves_the_public_reply(tenants_db: str) -> None:
    assert _render("utter_faq/eap", "globex")["text"] == _render("utter_faq/eap", None)["text"]


def _turn(name: str, tenant: str, events: list | None = None) -> None:
    """The reply sent in a server's turn, after which the counters are updated (bot.runtime.bookkeeping)."""
    from bot.conversation.nlg import ContextualNLG
    from tests.support.turns import reply
    from tests.unit.test_crisis_responses import domain

    t = DialogueStateTracker.from_events("visitor", [*(events or []), SlotSet("tenant", tenant)], slots=domain().slots)
    asyncio.run(reply(ContextualNLG(domain=domain()), name, t, "telegram", domain()))


def test_replies_count_conversations_topics_and_crises_without_text(tenants_db: str) -> None:
    from bot.storage.session import session_factory

    _turn("utter_faq/eap", "acme")  # first reply: a conversation and a topic
    _turn("utter_faq/cbt", "acme", events=[UserUttered("hi"), BotUttered("hello")])  # not first
    _turn("utter_crisis_suicide", "acme", events=[BotUttered("hello")])
    _render("utter_faq/cbt", "acme")  # rendering alone (no reply sent) counts nothing
    with session_factory(tenants_db).begin() as s:
        rows = TenantRepository(s).counts("acme", date(2000, 1, 1))
        got = sorted((r.kind, r.topic, r.count) for r in rows)
    assert got == [("conversation", "", 1), ("crisis", "", 1), ("topic", "cbt", 1), ("topic", "eap", 1)]


# --- report and CLI ------------------------------------------------------------------------

def test_report_suppresses_small_figures_and_prints_no_text(tenants_db: str) -> None:
    from bot.storage.session import session_factory
    from bot.tenants.analytics import report

    today = date(2026, 11, 27)
    with session_factory(tenants_db).begin() as s:
        repo = TenantRepository(s)
        for _ in range(7):
            repo.count("acme", "conversation", day=today)
            repo.count("acme", "topic", "eap", day=today)
        for _ in range(2):
            repo.count("acme", "crisis", day=today)
            repo.count("acme", "topic", "cbt", day=today - timedelta(days=1))
    out = report("acme", days=7, url=tenants_db, today=today, labels={"eap": "EAPs"})
    assert "| 2026-11-27 | 7 | 7 | <5 |" in out
    assert "| 2026-11-26 | <5 | <5 | <5 |" in out
    assert "| EAPs | 7 |" in out and "| cbt | <5 |" in out
    assert "| 2 |" not in out and "Total" not in out
    with pytest.raises(LookupError):
        report("globex", url=tenants_db)


def test_cli_add_list_token_report_remove(tenants_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["add", "globex", "--name", "Globex", "--eap-phone", "+44 20 7946 0000", "--eap-hours", "Mon-Fri 9-5",
                "--origin", "https://hr.globex.example", "--resource", "Globex nurse line|+44 20 7946 0001||24/7"]) == 0
    assert "added globex: Globex EAP — call +44 20 7946 0000 (Mon-Fri 9-5)" in capsys.readouterr().out
    assert cli(["list"]) == 0
    listed = capsys.readouterr().out
    assert '"slug": "acme"' in listed and "https://hr.globex.example" in listed
    assert cli(["token", "globex", "--ttl", "120"]) == 0
    directory.clear_cache()
    assert verify_token(capsys.readouterr().out.strip()) == "globex"
    assert cli(["report", "globex"]) == 0 and "(no activity)" in capsys.readouterr().out
    assert cli(["remove", "globex"]) == 0 and cli(["remove", "globex"]) == 1
    assert cli(["add", "bad slug", "--name", "X", "--eap-phone", "1"]) == 2
    assert "error: slug" in capsys.readouterr().err
