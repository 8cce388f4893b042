"""The FAQ content contract: every topic answered, answers readable, examples sound."""

from __future__ import annotations

import functools
import re
from collections import Counter
from pathlib import Path

import pytest
import textstat
import yaml

from bot.core.settings import ROOT

TOPICS = yaml.safe_load((ROOT / "data/knowledge/topics.yml").read_text())["topics"]
TOPIC_IDS = [t["id"] for t in TOPICS]
NLU_FILES = sorted((ROOT / "data/nlu").rglob("*.yml"))
MIN_EXAMPLES = 15


@functools.cache
def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def examples_by_intent(paths: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        for block in load(path).get("nlu") or []:
            if "intent" in block:
                lines = [line[2:].strip() for line in block["examples"].splitlines() if line.strip().startswith("- ")]
                found.setdefault(block["intent"], []).extend(lines)
    return found


def responses() -> dict[str, list[dict]]:
    merged: dict[str, list[dict]] = {}
    for path in NLU_FILES + [ROOT / "domain.yml"]:
        merged.update(load(path).get("responses") or {})
    return merged


TRAINING = examples_by_intent(NLU_FILES)
RESPONSES = responses()


def answer(topic: str) -> dict:
    return RESPONSES[f"utter_faq/{topic}"][0]


def plain(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # link text only
    return text.replace("**", "").replace("{retention_days}", "30")


def test_topic_ids_match_the_contract() -> None:
    assert len(TOPIC_IDS) == 34 and len(set(TOPIC_IDS)) == 34


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_every_topic_has_enough_examples(topic: str) -> None:
    assert len(TRAINING.get(f"faq/{topic}", [])) >= MIN_EXAMPLES


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_every_topic_has_an_answer_of_40_to_120_words(topic: str) -> None:
    words = len(plain(answer(topic)["text"]).split())
    assert 40 <= words <= 120, f"{topic}: {words} words"


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_answers_end_with_two_or_three_related_topics(topic: str) -> None:
    buttons = answer(topic).get("buttons") or []
    assert 2 <= len(buttons) <= 3
    for b in buttons:
        assert b["payload"].startswith("/faq/") and b["payload"][5:] in TOPIC_IDS, b
        assert b["payload"] != f"/faq/{topic}"


def test_answers_are_plain_language() -> None:
    grades = {t: textstat.flesch_kincaid_grade(plain(answer(t)["text"])) for t in TOPIC_IDS}
    average = sum(grades.values()) / len(grades)
    print(f"\nFlesch-Kincaid grade of the {len(grades)} FAQ answers: average {average:.1f}, max {max(grades.values()):.1f}")
    too_hard = {t: g for t, g in grades.items() if g > 9}
    assert not too_hard, too_hard


@pytest.mark.parametrize("topic", TOPIC_IDS)
def test_faq_answers_leave_crisis_wording_to_the_crisis_path(topic: str) -> None:
    text = answer(topic)["text"].lower()
    assert "suicide" not in text and "988" not in text
    assert "<" not in text, "no HTML in answers"


def test_no_example_is_shared_between_intents() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for intent, lines in TRAINING.items():
        for line in lines:
            key = line.lower()
            if key in owner and owner[key] != intent:
                clashes.append((line, owner[key], intent))
            owner[key] = intent
    assert not clashes


def test_no_duplicate_examples_within_an_intent() -> None:
    dupes = {i: [x for x, n in Counter(s.lower() for s in lines).items() if n > 1] for i, lines in TRAINING.items()}
    assert not {i: d for i, d in dupes.items() if d}


def test_sources_are_listed() -> None:
    text = (ROOT / "docs/sources.md").read_text()
    assert "mayoclinic.org" in text


# --- Per-region answers -------------------------------------------------------
# Paying for therapy differs by country, so these answers have one variant per
# served region (conditioned on `resolved_region`, which bot.conversation.nlg.ContextualNLG
# fills at render time) plus one unconditioned default for every other region.

HELPLINE_REGIONS = yaml.safe_load((ROOT / "data/resources/helplines.yml").read_text())["regions"]
# INTL is the catch-all for unlisted countries: it gets the default variant.
SERVED_REGIONS = sorted(code for code in HELPLINE_REGIONS if code != "INTL")
REGIONAL_TOPICS = ["costs_insurance", "low_cost_options"]


def variants(topic: str) -> list[dict]:
    return RESPONSES[f"utter_faq/{topic}"]


def region_of(variant: dict) -> str | None:
    conditions = variant.get("condition") or []
    return next((c["value"] for c in conditions if c.get("name") == "resolved_region"), None)


def all_faq_variants() -> list:
    return [
        pytest.param(t, region_of(v) or "default", v, id=f"{t}-{region_of(v) or 'default'}")
        for t in TOPIC_IDS
        for v in variants(t)
    ]


def test_served_regions_come_from_the_helplines_file() -> None:
    assert {"US", "GB", "CA", "AU", "IE", "NZ", "IN"} <= set(SERVED_REGIONS)


@pytest.mark.parametrize("topic", REGIONAL_TOPICS)
@pytest.mark.parametrize("region", SERVED_REGIONS)
def test_every_served_region_has_its_own_cost_answer(topic: str, region: str) -> None:
    found = [v for v in variants(topic) if region_of(v) == region]
    assert len(found) == 1, f"utter_faq/{topic} needs exactly one variant for {region}, found {len(found)}"
    assert found[0]["condition"] == [{"type": "slot", "name": "resolved_region", "value": region}]


@pytest.mark.parametrize("topic", REGIONAL_TOPICS)
def test_regional_answers_keep_one_default_first_and_no_unknown_regions(topic: str) -> None:
    vs = variants(topic)
    defaults = [v for v in vs if not v.get("condition")]
    assert len(defaults) == 1 and vs[0] is defaults[0], "one unconditioned default, listed first"
    assert not any(v.get("channel") for v in vs), "a channel variant would outrank the region variants"
    unknown = {region_of(v) for v in vs if v.get("condition")} - set(SERVED_REGIONS)
    assert not unknown, unknown


@pytest.mark.parametrize("topic", REGIONAL_TOPICS)
@pytest.mark.parametrize("region", SERVED_REGIONS + ["INTL", None])
def test_rasa_picks_the_visitors_regional_cost_answer(topic: str, region: str | None) -> None:
    from rasa.core.nlg.generator import ResponseVariationFilter

    picked = ResponseVariationFilter(RESPONSES).responses_for_utter_action(
        f"utter_faq/{topic}", "rest", {"resolved_region": region}
    )
    expected = region if region in SERVED_REGIONS else None
    assert len(picked) == 1 and region_of(picked[0]) == expected


@pytest.mark.parametrize("topic,region,variant", all_faq_variants())
def test_every_variant_passes_the_answer_checks(topic: str, region: str, variant: dict) -> None:
    text = plain(variant["text"])
    words = len(text.split())
    assert 40 <= words <= 120, f"{topic}/{region}: {words} words"
    grade = textstat.flesch_kincaid_grade(text)
    assert grade <= 9, f"{topic}/{region}: grade {grade:.1f}"
    buttons = variant.get("buttons") or []
    assert 2 <= len(buttons) <= 3, f"{topic}/{region}"
    for b in buttons:
        assert b["payload"].startswith("/faq/") and b["payload"][5:] in TOPIC_IDS, b
        assert b["payload"] != f"/faq/{topic}"
    lowered = variant["text"].lower()
    assert "suicide" not in lowered and "988" not in lowered and "<" not in lowered


@pytest.mark.parametrize("topic", REGIONAL_TOPICS)
def test_regional_variants_offer_the_same_related_topics(topic: str) -> None:
    # actions/faq.py's "tell me more" reads the default variant's buttons.
    payloads = {tuple(b["payload"] for b in v.get("buttons") or []) for v in variants(topic)}
    assert len(payloads) == 1, payloads


def test_cost_answers_name_each_regions_own_system() -> None:
    costs = {region_of(v): v["text"] for v in variants("costs_insurance")}
    expected = {
        "US": ["parity", "copay", "deductible"],
        "GB": ["NHS Talking Therapies", "England", "GP"],
        "AU": ["Medicare", "Better Access", "treatment plan", "up to 10", "gap fee"],
        "CA": ["psychologists", "benefits"],
        "IE": ["medical card", "Counselling in Primary Care"],
        "NZ": ["Access and Choice", "ACC"],
        "IN": ["Tele-MANAS", "insurers"],
    }
    for region, phrases in expected.items():
        if region in SERVED_REGIONS:
            missing = [p for p in phrases if p.lower() not in " ".join(costs[region].split()).lower()]
            assert not missing, (region, missing)


def test_privacy_and_credential_answers_carry_the_review_points() -> None:
    confidentiality = answer("confidentiality")["text"]
    assert "HIPAA" in confidentiality and "apps" in confidentiality
    credentials = " ".join(answer("check_credentials")["text"].split())
    assert "psychotherapist" in credentials and "only in some" in credentials
    privacy = " ".join(answer("bot_privacy")["text"].split())
    for platform in ("Telegram", "Slack", "Messenger", "SMS"):
        assert platform in privacy, platform
    assert "own copy" in privacy and '"delete my data"' in privacy


def test_regional_cost_sources_are_listed() -> None:
    text = (ROOT / "docs/sources.md").read_text()
    for domain in ("nhs.uk", "health.gov.au", "dol.gov", "ontariohealth.ca", "oireachtas.ie", "acc.co.nz"):
        assert domain in text, domain
