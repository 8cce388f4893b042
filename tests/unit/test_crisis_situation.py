"""The situation within a crisis category (data/crisis/situations.yml) picks the reply and the line that fit it."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.crisis.situation import GENERAL, SITUATION_CATEGORIES, load_rules, situation
from bot.conversation.crisis.templates import CATEGORY_TEMPLATES, SITUATION_TEMPLATES, SPANISH_SITUATION_TEMPLATES
from bot.conversation.helplines import CATEGORY_PLAN
from bot.conversation.nlg import ContextualNLG
from bot.understanding.crisis_rules import normalise
from tests.unit.test_crisis_responses import domain, first_sentence

RULES = [(category, rule) for category, rules in load_rules().items() for rule in rules]


@pytest.mark.parametrize("category, rule", RULES, ids=[f"{c}-{r.situation}-{i}" for i, (c, r) in enumerate(RULES)])
def test_every_rule_matches_its_examples_and_not_its_non_examples(category: str, rule) -> None:
    assert rule.examples, "every rule needs examples"
    for example in rule.examples:
        assert rule.fires(normalise(example)), example
        assert situation(example, category) == rule.situation, example
    for non_example in rule.non_examples:
        assert not rule.fires(normalise(non_example)), non_example


def test_every_situation_has_its_own_reply_and_plan() -> None:
    for category, situations in SITUATION_CATEGORIES.items():
        assert category in CATEGORY_TEMPLATES, category
        for name in situations:
            assert f"{category}/{name}" in SITUATION_TEMPLATES and f"{category}/{name}" in CATEGORY_PLAN, (category, name)
            assert f"{category}/{name}" in SPANISH_SITUATION_TEMPLATES, (category, name)


@pytest.mark.parametrize("text, expected", [
    ("im 11 and my stepdad hits me", "child"),
    ("my mum hurts me when she's angry", "child"),
    ("i'm in year 8, i don't want to go home after school", "child"),
    ("my neighbour's kid has bruises every week", "adult"),
    ("a child in my class said her dad burns her", "adult"),
    ("i'm worried my niece is being abused", "adult"),
    ("my uncle abused me when i was a kid", GENERAL),
    ("someone is hurting a child", GENERAL),
])
def test_a_child_writing_about_themselves_and_an_adult_worried_about_a_child(text: str, expected: str) -> None:
    assert situation(text, "child_abuse") == expected


@pytest.mark.parametrize("text, expected", [
    ("my boyfriend is outside the door and says he'll kill me", "threat"),
    ("someone is trying to break in the window", "threat"),
    ("i'm on the bridge and i can't go on", "self"),
    ("i'm by the train tracks", "self"),
    ("a group of men are chasing me", "other"),
    ("i'm in danger please help", GENERAL),
])
def test_immediate_danger_situations(text: str, expected: str) -> None:
    assert situation(text, "immediate_danger") == expected


@pytest.mark.parametrize("category, text, expected", [
    ("child_abuse", "tengo 12 años y mi padrastro me pega", "child"),
    ("child_abuse", "mi mamá me hace daño cuando se enfada", "child"),
    ("child_abuse", "no quiero ir a casa después del colegio", "child"),
    ("child_abuse", "la niña de mi vecino tiene moretones cada semana", "adult"),
    ("child_abuse", "un alumno de mi clase dice que su padre lo quema", "adult"),
    ("child_abuse", "mi tío abusó de mí cuando era pequeña", GENERAL),
    ("child_abuse", "alguien le hace daño a un niño", GENERAL),
    ("immediate_danger", "mi novio está fuera de la puerta y dice que me va a matar", "threat"),
    ("immediate_danger", "estoy sobre el puente y no puedo seguir", "self"),
    ("immediate_danger", "unos hombres me persiguen", "other"),
    ("immediate_danger", "estoy en peligro, ayuda", GENERAL),
    ("harm_to_others", "tengo miedo de hacerle daño a mi bebé", "perinatal"),
])
def test_spanish_messages_get_the_same_situations(category: str, text: str, expected: str) -> None:
    assert situation(text, category) == expected


def test_a_category_without_situations_is_general() -> None:
    assert situation("my dad hits me", "suicide") == GENERAL


def crisis_reply(category: str, text: str, region: str, channel: str = "twilio", language: str = "en") -> str:
    parse = {"intent": {"name": "crisis", "confidence": 1.0}, "entities": [],
             "crisis": {"zone": "handoff", "category": category, "language": language}}
    tracker = DialogueStateTracker.from_events(
        "v", [UserUttered(text, parse["intent"], [], parse), SlotSet("channel_region", region)], slots=domain().slots)
    return asyncio.run(ContextualNLG(domain=domain()).generate(f"utter_crisis_{category}", tracker, channel))["text"]


def test_a_child_gets_the_childrens_line_first_in_words_a_child_reads() -> None:
    gb = crisis_reply("child_abuse", "im 11 and my dad hits me", "GB")
    assert first_sentence(gb) == "Call 0800 1111 to talk to someone at Childline (under-19s)."
    assert "not your fault" in gb and "0808 800 5000" not in gb and "worried about a child" not in gb
    us = crisis_reply("child_abuse", "my stepmom hurts me", "US")
    assert "1-800-422-4453" in first_sentence(us) and "not your fault" in us
    au = crisis_reply("child_abuse", "i'm 13 and my mum's boyfriend hits me", "AU")
    assert "1800 55 1800" in first_sentence(au)


def test_an_adult_worried_about_a_child_gets_the_line_for_adults_first() -> None:
    gb = crisis_reply("child_abuse", "my neighbour's kid is covered in bruises", "GB")
    assert first_sentence(gb) == "Call 0808 800 5000 to talk to someone at NSPCC Helpline (adults worried about a child)."
    assert "0800 1111" not in gb and "speaking up for this child" in gb
    us = crisis_reply("child_abuse", "a child in my class told me his dad burns him", "US")
    assert "1-800-422-4453" in first_sentence(us)
    nz = crisis_reply("child_abuse", "i think my niece is being hurt at home", "NZ")
    assert "0508 326 459" in first_sentence(nz)
    au = crisis_reply("child_abuse", "i think my niece is being abused", "AU")
    assert "1800 272 831" in first_sentence(au) and "Bravehearts" in au
    # No line for adults in the region: the emergency number opens, never a suicide line.
    ie = crisis_reply("child_abuse", "my neighbour's kid is covered in bruises", "IE")
    assert first_sentence(ie) == "If a child is in danger now, call 112." and "tusla.ie" in ie


def test_unclear_child_abuse_messages_keep_the_reply_for_both() -> None:
    text = crisis_reply("child_abuse", "someone is hurting a child", "GB")
    assert "0800 1111" in text and "0808 800 5000" in text


def test_immediate_danger_from_a_partner_gives_the_domestic_violence_line_after_the_emergency_number() -> None:
    us = crisis_reply("immediate_danger", "my husband is outside the door and he's going to kill me", "US")
    assert "911" in first_sentence(us)
    assert us.index("911") < us.index("1-800-799-7233") < us.index("988") < us.index("text 911")
    gb = crisis_reply("immediate_danger", "my ex is banging on my door", "GB")
    assert gb.index("999") < gb.index("0808 2000 247") and "press 55" in gb


def test_immediate_danger_to_themselves_gives_the_suicide_crisis_line_after_the_emergency_number() -> None:
    us = crisis_reply("immediate_danger", "i'm standing on the bridge right now", "US")
    assert "911" in first_sentence(us) and us.index("911") < us.index("988")
    assert "1-800-799-7233" not in us and "Domestic" not in us
    au = crisis_reply("immediate_danger", "i'm at the train tracks", "AU")
    assert "000" in first_sentence(au) and "13 11 14" in au and "1800 737 732" not in au


def test_immediate_danger_from_someone_else_gives_the_general_crisis_line() -> None:
    gb = crisis_reply("immediate_danger", "a man is following me and i'm scared", "GB")
    assert "999" in first_sentence(gb) and gb.index("999") < gb.index("116 123")
    assert "0808 2000 247" not in gb


def test_unclear_danger_keeps_the_crisis_and_domestic_violence_lines() -> None:
    us = crisis_reply("immediate_danger", "please help i'm in danger", "US")
    assert us.index("911") < us.index("988") < us.index("1-800-799-7233")


# Spanish: the same situations pick the same lines, in Spanish.

def es_reply(category: str, text: str, region: str) -> str:
    return crisis_reply(category, text, region, language="es")


def test_a_child_writing_in_spanish_gets_the_childrens_line_first() -> None:
    us = es_reply("child_abuse", "tengo 11 años y mi papá me pega", "US")
    assert "1-800-422-4453" in first_sentence(us) and "no es tu culpa" in us
    assert us.index("1-800-422-4453") < us.index("988")
    gb = es_reply("child_abuse", "mi madrastra me encierra en mi cuarto", "GB")
    assert "0800 1111" in first_sentence(gb) and "0808 800 5000" not in gb


def test_an_adult_writing_in_spanish_about_a_child_gets_the_line_for_adults_first() -> None:
    gb = es_reply("child_abuse", "el hijo de mi vecina siempre tiene moretones", "GB")
    assert "0808 800 5000" in first_sentence(gb) and "0800 1111" not in gb and "este niño o esta niña" in gb
    ie = es_reply("child_abuse", "creo que a mi sobrino le pegan en casa", "IE")
    assert first_sentence(ie) == "Si un niño o una niña está en peligro ahora, llama al 112." and "tusla.ie" in ie


def test_unclear_spanish_child_abuse_messages_keep_the_reply_for_both() -> None:
    gb = es_reply("child_abuse", "alguien le hace daño a un niño", "GB")
    assert "0800 1111" in gb and "0808 800 5000" in gb


def test_immediate_danger_in_spanish_gives_the_line_for_the_situation_after_the_emergency_number() -> None:
    threat = es_reply("immediate_danger", "mi marido está golpeando la puerta y me quiere matar", "US")
    assert "911" in first_sentence(threat)
    assert threat.index("911") < threat.index("1-800-799-7233") < threat.index("988")
    own = es_reply("immediate_danger", "estoy en la azotea y no aguanto más", "US")
    assert "911" in first_sentence(own) and own.index("911") < own.index("988") and "1-800-799-7233" not in own
    other = es_reply("immediate_danger", "un tipo me está siguiendo y tengo miedo", "GB")
    assert "999" in first_sentence(other) and other.index("999") < other.index("116 123") and "0808 2000 247" not in other
    unclear = es_reply("immediate_danger", "estoy en peligro, ayúdame", "US")
    assert unclear.index("911") < unclear.index("988") < unclear.index("1-800-799-7233")


def test_a_parent_writing_in_spanish_about_their_baby_gets_the_perinatal_line() -> None:
    us = es_reply("harm_to_others", "me asusta hacerle daño a mi bebé", "US")
    assert us.startswith("Pon a tu bebé en un lugar seguro") and "1-833-852-6262" in us
