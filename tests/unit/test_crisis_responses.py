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
from bot.conversation.crisis.responses import main as generate_main
from bot.conversation.crisis.templates import CATEGORY_TEMPLATES
from bot.conversation.helplines import load_catalogue, the_region
from bot.conversation.nlg import ContextualNLG
from bot.core import wiring
from bot.core.settings import ROOT
from tests.support.turns import reply

CHANNELS = ["rest", "socketio", "telegram", "slack", "facebook", "twilio", "cmdline"]
GENERATED = yaml.safe_load((ROOT / "data/crisis/responses.yml").read_text())["responses"]
CRISIS_RESPONSES = sorted(GENERATED)
REGIONS = sorted(load_catalogue().regions)
BANNED = re.compile(r"committed suicide|successful(ly)? (attempt|suicide)|commit suicide|how to (kill|hurt)|overdose on|lethal|painless", re.I)
NUMBER = re.compile(r"\d[\d -]{1,}\d")
# A number on its own, not the digits of a name ("1800RESPECT").
WHOLE_NUMBER = re.compile(r"(?<![\w-])\d[\d -]*\d(?![\w-])")


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


def test_what_the_visitor_said_outranks_the_browser_locale() -> None:
    """Locale en-US (channel_region US) and "I'm in the UK" (region GB): UK numbers, and the reply says so."""
    nlg = ContextualNLG(domain=domain())
    text = render(nlg, "utter_crisis_suicide", "rest", channel_region="US", region="GB")["text"]
    assert "116 123" in text and "999" in text and "988" not in text and "911" not in text
    assert "Not in the United Kingdom? Tell me where you are." in text


def test_an_organisations_fixed_region_outranks_what_was_said() -> None:
    nlg = ContextualNLG(domain=domain())
    text = render(nlg, "utter_crisis_suicide", "rest", channel_region="IE", fixed_region="IE", region="GB")["text"]
    assert "116 123" in text and "112" in text and "999" not in text and "for Ireland" in text


def phone_numbers(text: str) -> set[str]:
    """The distinct numbers in a text, as digits: not link targets, not an age range ("ages 5-25")."""
    found = WHOLE_NUMBER.findall(re.sub(r"\]\([^)]*\)", "]", text))
    return {re.sub(r"\D", "", n) for n in found if not re.fullmatch(r"\d{1,2}-\d{1,2}", n)}


FIRST_REPLIES = sorted(f"utter_crisis_{c}" for c in CATEGORY_TEMPLATES) + ["utter_crisis_help_now"]


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0]


@pytest.mark.parametrize("region", REGIONS)
def test_every_first_crisis_reply_names_its_country_and_how_to_change_it(region: str) -> None:
    nlg = ContextualNLG(domain=domain())
    name = load_catalogue().regions[region].name
    for response in FIRST_REPLIES:
        text = render(nlg, response, "rest", channel_region=region)["text"]
        if region == "INTL":
            assert "Tell me where you are" in text, response
        else:
            assert f"Not in {the_region(load_catalogue().regions[region])}? Tell me where you are." in text, response
            assert name in text


@pytest.mark.parametrize("channel", ["socketio", "twilio"])
@pytest.mark.parametrize("region", REGIONS)
def test_every_crisis_reply_has_one_number_in_its_first_sentence(region: str, channel: str) -> None:
    """The lock-screen preview shows the first sentence: it carries one number to call or text."""
    nlg = ContextualNLG(domain=domain())
    for response in CRISIS_RESPONSES:
        first = first_sentence(render(nlg, response, channel, channel_region=region)["text"])
        numbers = phone_numbers(first)
        assert len(numbers) == 1, f"{response} for {region} on {channel} opens with {first!r}"
        assert len(first) <= 160, f"{response} for {region}: {len(first)} characters before the first full stop"


def test_an_unresponsive_person_or_an_attempt_gets_the_emergency_number_first() -> None:
    nlg = ContextualNLG(domain=domain())
    for region, emergency in (("US", "911"), ("GB", "999"), ("AU", "000")):
        for response in ("utter_crisis_attempt", "utter_crisis_third_party", "utter_crisis_immediate_danger"):
            first = first_sentence(render(nlg, response, "twilio", channel_region=region)["text"])
            assert emergency in first, (region, response, first)


def test_immediate_danger_offers_silent_ways_after_the_lines() -> None:
    nlg = ContextualNLG(domain=domain())
    us = render(nlg, "utter_crisis_immediate_danger", "twilio", channel_region="US")["text"]
    assert us.index("911") < us.index("988") < us.index("1-800-799-7233") < us.index("text 911")
    gb = render(nlg, "utter_crisis_immediate_danger", "twilio", channel_region="GB")["text"]
    assert gb.index("116 123") < gb.index("press 55")


def test_gb_abuse_lists_every_nations_line_and_leads_with_999() -> None:
    text = render(ContextualNLG(domain=domain()), "utter_crisis_abuse", "twilio", channel_region="GB")["text"]
    assert first_sentence(text) == "If you are in danger now, call 999."
    for number in ("0808 2000 247", "0800 027 1234", "0808 80 10 800", "0808 802 1414"):
        assert number in text


def test_a_child_and_an_adult_worried_about_a_child_both_find_their_line() -> None:
    text = render(ContextualNLG(domain=domain()), "utter_crisis_child_abuse", "twilio", channel_region="GB")["text"]
    assert "0800 1111" in first_sentence(text) and "0808 800 5000" in text
    assert "the child's fault" not in text and "If someone is hurting you, it is not your fault" in text


def test_harm_to_others_assumes_no_motive() -> None:
    text = render(ContextualNLG(domain=domain()), "utter_crisis_harm_to_others", "rest")["text"]
    assert "don't want anyone to get hurt" not in text and "988" in first_sentence(text)


def test_a_directory_is_never_called_a_listener() -> None:
    text = render(ContextualNLG(domain=domain()), "utter_crisis_keep_talking", "rest", channel_region="INTL")["text"]
    assert "Find A Helpline" in text and "A trained person at Find A Helpline" not in text


def test_what_is_shared_after_keep_talking_is_reflected_with_the_number_in_view() -> None:
    nlg = ContextualNLG(domain=domain())
    parse = {"intent": {"name": "crisis_share", "confidence": 1.0}, "entities": [], "crisis": {"zone": "none"}}
    t = DialogueStateTracker.from_events("v", [UserUttered("i feel so alone since my mum died", parse["intent"], [], parse),
                                               SlotSet("channel_region", "GB")], slots=domain().slots)
    message = asyncio.run(nlg.generate("utter_crisis_received", t, "socketio"))
    text = message["text"]
    assert first_sentence(text).startswith("Call [116 123](tel:116123)")
    assert "a loss is weighing on you, and you're feeling very alone" in text and "mum" not in text
    assert [b["payload"] for b in message["buttons"]] == ["/crisis_help_now", "/crisis_more_resources"]
    # Without the project's NLG the slot's initial value renders: still a whole reply.
    plain = render(TemplatedNaturalLanguageGenerator(domain().responses), "utter_crisis_received", "rest")["text"]
    assert "Thank you for telling me that." in plain and "{" not in plain


def test_naming_a_country_gets_its_main_number_back() -> None:
    nlg = ContextualNLG(domain=domain())
    text = render(nlg, "utter_region_noted", "socketio", channel_region="US", region="CA")["text"]
    assert "Canada" in text and "[988](tel:988)" in text and "911" in text


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

    monkeypatch.setenv("RETENTION_DAYS", "14")
    wiring.reload_settings()
    try:
        text = render(ContextualNLG(domain=domain()), "utter_faq/bot_privacy", "rest")["text"]
    finally:
        wiring.reload_settings()
    assert "14 days" in text and "{" not in text


async def test_a_hand_off_writes_an_audit_row_without_text(use_db: str) -> None:
    from sqlalchemy import select

    from bot.storage.models import CrisisEvent
    from bot.storage.session import session_factory

    nlg = ContextualNLG(domain=domain())
    parse = {"intent": {"name": "crisis", "confidence": 1.0}, "entities": [], "crisis": {"category": "abuse", "layer": "rule", "zone": "handoff"}}
    t = DialogueStateTracker.from_events(
        "visitor-42", [UserUttered("secret words", parse["intent"], [], parse), SlotSet("channel_region", "IE")], slots=domain().slots
    )
    await reply(nlg, "utter_crisis_abuse", t, "socketio", domain())
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
    assert first_sentence(text) == "Call or text [988](tel:988) to talk to someone at 988 Suicide & Crisis Lifeline."
    assert "Thank you for telling me." in text and answer in text


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


def test_canada_says_where_911_may_not_work() -> None:
    text = render(ContextualNLG(domain=domain()), "utter_crisis_suicide", "twilio", channel_region="CA")["text"]
    assert "In Nunavut, 911 may not work" in text and "RCMP" in text


def harm_to_others(text: str, region: str = "US") -> str:
    parse = {"intent": {"name": "crisis", "confidence": 1.0}, "entities": [],
             "crisis": {"zone": "handoff", "category": "harm_to_others", "language": "en"}}
    t = DialogueStateTracker.from_events("v", [UserUttered(text, parse["intent"], [], parse), SlotSet("channel_region", region)],
                                         slots=domain().slots)
    return asyncio.run(ContextualNLG(domain=domain()).generate("utter_crisis_harm_to_others", t, "twilio"))["text"]


def test_a_parent_afraid_of_harming_their_baby_puts_the_baby_safe_first() -> None:
    text = harm_to_others("i'm scared i'm going to hurt my baby, she won't stop crying")
    assert first_sentence(text).startswith("Put your baby somewhere safe") and "911" in first_sentence(text)
    assert "common after a baby arrives" in text and "1-833-852-6262" in text and "988" in text
    gb = harm_to_others("i keep having thoughts of hurting my newborn", "GB")
    assert first_sentence(gb).startswith("Put your baby somewhere safe") and "999" in first_sentence(gb)


def test_other_harm_to_others_messages_keep_the_general_reply() -> None:
    text = harm_to_others("i'm scared i'm going to hurt my flatmate")
    assert "baby" not in text and first_sentence(text).startswith("Call or text 988")
