"""Every crisis response, rendered for every region and channel, follows the protocol."""

from __future__ import annotations

import asyncio
import functools
import inspect
import re

import pytest
import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import actions.crisis
import actions.faq
from bot.crisis.responses import main as generate_main
from bot.nlg import ContextualNLG
from bot.resources import load_catalogue
from bot.settings import ROOT

CHANNELS = ["rest", "socketio", "telegram", "slack", "facebook", "twilio", "cmdline"]
GENERATED = yaml.safe_load((ROOT / "data/crisis/responses.yml").read_text())["responses"]
CRISIS_RESPONSES = sorted(GENERATED)
REGIONS = sorted(load_catalogue().regions)
BANNED = re.compile(r"committed suicide|successful(ly)? (attempt|suicide)|commit suicide|how to (kill|hurt)|overdose on|lethal|painless", re.I)
NUMBER = re.compile(r"\d[\d -]{1,}\d")


@functools.lru_cache(maxsize=1)
def domain() -> Domain:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_config(str(ROOT / "config.yml"), str(ROOT / "domain.yml"), [str(ROOT / "data")])
    return importer.get_domain()


def tracker(**slots) -> DialogueStateTracker:
    events = [SlotSet(k, v) for k, v in slots.items()]
    return DialogueStateTracker.from_events("visitor", events, slots=domain().slots)


def render(nlg, name: str, channel: str, **slots) -> dict:
    return asyncio.run(nlg.generate(name, tracker(**slots), channel))


def test_generated_file_is_fresh() -> None:
    assert generate_main(["--check"]) == 0


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("region", REGIONS)
def test_every_crisis_response_renders_with_a_number_on_every_channel(region: str, channel: str) -> None:
    nlg = ContextualNLG(domain=domain())
    for name in CRISIS_RESPONSES:
        message = render(nlg, name, channel, channel_region=region)
        text = message["text"]
        assert text.strip(), name
        assert NUMBER.search(text), f"{name} for {region} on {channel} has no number"
        assert not BANNED.search(text), f"{name} uses wording safe-messaging guidance rules out"
        if channel == "twilio":
            assert not message.get("buttons"), "SMS crisis replies are one plain message"
            assert "](" not in text


@pytest.mark.parametrize("name", CRISIS_RESPONSES)
def test_default_variant_renders_without_the_project_nlg(name: str) -> None:
    """If a deployment swaps the NLG, the default variant (US numbers) still renders."""
    message = render(TemplatedNaturalLanguageGenerator(domain().responses), name, "rest")
    assert "988" in message["text"] or "911" in message["text"]


def test_region_specific_numbers_are_used() -> None:
    nlg = ContextualNLG(domain=domain())
    assert "116 123" in render(nlg, "utter_crisis_suicide", "rest", channel_region="GB")["text"]
    assert "13 11 14" in render(nlg, "utter_crisis_suicide", "rest", region="AU")["text"]
    us = render(nlg, "utter_crisis_suicide", "socketio")["text"]
    assert "[988](tel:988)" in us and "[911](tel:911)" in us


def test_channel_metadata_outranks_what_was_said() -> None:
    nlg = ContextualNLG(domain=domain())
    assert "116 123" in render(nlg, "utter_crisis_suicide", "rest", channel_region="GB", region="AU")["text"]


def test_category_decides_what_leads() -> None:
    nlg = ContextualNLG(domain=domain())
    abuse = render(nlg, "utter_crisis_abuse", "rest")["text"]
    assert abuse.index("1-800-799-7233") < abuse.index("988")
    attempt = render(nlg, "utter_crisis_attempt", "rest")["text"]
    assert attempt.index("911") < attempt.index("988")
    danger = render(nlg, "utter_crisis_immediate_danger", "rest")["text"]
    assert danger.index("911") < danger.index("988")
    third = render(nlg, "utter_crisis_third_party", "rest")["text"]
    assert "them" in third and "988" in third


def test_naming_contract_crisis_path_and_nothing_else() -> None:
    d = domain()
    crisis_rules = yaml.safe_load((ROOT / "data/rules/crisis.yml").read_text())["rules"]
    path_actions = {step["action"] for rule in crisis_rules for step in rule["steps"] if "action" in step}
    assert all("crisis" in a for a in path_actions), path_actions
    other_rules = [p for p in (ROOT / "data/rules").glob("*.yml") if p.name != "crisis.yml"]
    for path in other_rules:
        for rule in yaml.safe_load(path.read_text())["rules"]:
            for step in rule["steps"]:
                assert "crisis" not in step.get("action", ""), (path.name, step)
    crisis_named = {r for r in d.responses if "crisis" in r} | {a for a in d.user_actions if "crisis" in a}
    assert crisis_named <= path_actions | set(GENERATED), crisis_named - path_actions - set(GENERATED)


def test_stock_fallback_and_session_start_are_not_overridden() -> None:
    assert "utter_default" in domain().responses
    names = {
        cls().name()
        for module in (actions.crisis, actions.faq)
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if hasattr(cls, "name") and not inspect.isabstract(cls) and cls.__module__ == module.__name__
    }
    assert names == {"action_crisis_resources", "action_tell_me_more"}
    assert not {"action_default_fallback", "action_session_start"} & set(domain().user_actions)


def test_suggestions_offer_the_closest_topics() -> None:
    nlg = ContextualNLG(domain=domain())
    parse = {
        "intent": {"name": "nlu_fallback", "confidence": 0.7},
        "entities": [],
        "response_selector": {"faq": {"ranking": [
            {"intent_response_key": "faq/dbt", "confidence": 0.3},
            {"intent_response_key": "faq/cbt", "confidence": 0.2},
            {"intent_response_key": "faq/act", "confidence": 0.1},
            {"intent_response_key": "faq/eap", "confidence": 0.05},
        ]}},
    }
    t = DialogueStateTracker.from_events("v", [UserUttered("dbt or cbt", parse["intent"], [], parse)], slots=domain().slots)
    message = asyncio.run(nlg.generate("utter_default", t, "rest"))
    assert [b["payload"] for b in message["buttons"]] == ["/faq/dbt", "/faq/cbt", "/faq/act"]
    assert message["buttons"][0]["title"] == "DBT"


def test_privacy_answer_states_the_configured_retention(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import get_settings

    monkeypatch.setenv("RETENTION_DAYS", "14")
    get_settings.cache_clear()
    try:
        text = render(ContextualNLG(domain=domain()), "utter_faq/bot_privacy", "rest")["text"]
    finally:
        get_settings.cache_clear()
    assert "14 days" in text and "{" not in text


async def test_a_hand_off_writes_an_audit_row_without_text(use_db: str) -> None:
    from sqlalchemy import select

    from bot.db.models import CrisisEvent
    from bot.db.session import session_factory

    nlg = ContextualNLG(domain=domain())
    parse = {"intent": {"name": "crisis", "confidence": 1.0}, "entities": [], "crisis": {"category": "abuse", "layer": "rule", "zone": "handoff"}}
    t = DialogueStateTracker.from_events(
        "visitor-42", [UserUttered("secret words", parse["intent"], [], parse), SlotSet("channel_region", "IE")], slots=domain().slots
    )
    await nlg.generate("utter_crisis_abuse", t, "socketio")
    rows = []
    for _ in range(50):
        with session_factory(use_db).begin() as s:
            rows = s.scalars(select(CrisisEvent)).all()
        if rows:
            break
        await asyncio.sleep(0.05)
    assert len(rows) == 1
    row = rows[0]
    assert (row.channel, row.region, row.category, row.layer) == ("socketio", "IE", "abuse", "rule")
    assert "visitor-42" not in row.sender_hash and "secret" not in repr(row.__dict__)


def test_no_to_the_check_in_answers_the_question_that_was_asked() -> None:
    nlg = ContextualNLG(domain=domain())
    checked_in = {"intent": {"name": "crisis_check_in", "confidence": 0.7},
                  "entities": [{"entity": "faq_topic", "value": "costs_insurance"}],
                  "crisis": {"zone": "check_in", "risk": 0.7, "language": "en"}}
    t = DialogueStateTracker.from_events("v", [
        UserUttered("so tired of it all. how much does therapy cost?", checked_in["intent"], checked_in["entities"], checked_in),
        UserUttered("no", {"name": "deny", "confidence": 0.99}, [], {"intent": {"name": "deny"}, "crisis": {"zone": "none"}}),
    ], slots=domain().slots)
    text = asyncio.run(nlg.generate("utter_crisis_check_in_declined", t, "rest"))["text"]
    answer = asyncio.run(nlg.generate("utter_faq/costs_insurance", t, "rest"))["text"]
    assert text.startswith("Thank you for telling me") and "988" in text and answer in text


def test_a_spanish_crisis_is_rendered_in_spanish_for_the_region() -> None:
    nlg = ContextualNLG(domain=domain())
    parse = {"intent": {"name": "crisis", "confidence": 1.0}, "entities": [],
             "crisis": {"zone": "handoff", "category": "suicide", "language": "es"}}
    us = DialogueStateTracker.from_events("v", [UserUttered("ya no quiero vivir", parse["intent"], [], parse)],
                                          slots=domain().slots)
    text = asyncio.run(nlg.generate("utter_crisis_suicide", us, "rest"))["text"]
    assert "llama al [988]" in text and "marca 2" in text and "AYUDA" in text and "988lineadevida.org" in text
    gb = DialogueStateTracker.from_events("v", [UserUttered("ya no quiero vivir", parse["intent"], [], parse),
                                                SlotSet("channel_region", "GB")], slots=domain().slots)
    text = asyncio.run(nlg.generate("utter_crisis_suicide", gb, "rest"))["text"]
    assert "Gracias" in text and "116 123" in text and "999" in text and "988" not in text
