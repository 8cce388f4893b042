"""The helplines catalogue: its schema, and how helplines are chosen and written out."""

from datetime import date, timedelta

import pytest
import yaml

from bot.conversation.helpline_sources import RESTS_ON
from bot.conversation.helplines import (
    CATEGORY_PLAN,
    INTERNATIONAL,
    NEEDS,
    format_helpline,
    linkify,
    load_catalogue,
    plan_for,
    region_from_slots,
    resolve_region,
)
from bot.core.settings import ROOT

REQUIRED_REGIONS = {"US", "CA", "GB", "IE", "AU", "NZ", "IN", INTERNATIONAL}
RAW = yaml.safe_load((ROOT / "data/resources/helplines.yml").read_text())
ENTRIES = [(code, e) for code, body in RAW["regions"].items() for e in body["resources"]]


def test_every_required_region_is_present() -> None:
    assert REQUIRED_REGIONS <= set(RAW["regions"])


@pytest.mark.parametrize("code", sorted(REQUIRED_REGIONS))
def test_every_region_has_an_emergency_number_and_a_crisis_line(code: str) -> None:
    region = load_catalogue().regions[code]
    if code != INTERNATIONAL:
        assert region.emergency.replace(" ", "").isdigit()
        assert any(h.phone or h.sms for h in region.serving("crisis")), f"{code} has no crisis line to call or text"
    else:
        assert region.serving("crisis"), "the international fallback needs a helpline directory"


@pytest.mark.parametrize("code", sorted(REQUIRED_REGIONS - {INTERNATIONAL}))
def test_every_country_has_domestic_violence_and_child_lines(code: str) -> None:
    region = load_catalogue().regions[code]
    assert region.serving("domestic_violence"), code
    assert region.serving("child_abuse") or region.serving("youth"), code


@pytest.mark.parametrize("code, entry", ENTRIES, ids=[e["id"] for _, e in ENTRIES])
def test_every_entry_has_a_source_and_a_check_date(code: str, entry: dict) -> None:
    assert entry["source_url"].startswith("https://")
    assert set(entry["serves"]) <= set(NEEDS), entry["serves"]
    assert entry.get("phone") or entry.get("sms") or entry.get("chat_url") or entry.get("url")
    assert entry.get("rests_on") in RESTS_ON, "say what kind of page it rests on"
    if entry.get("checked") is None:
        assert entry.get("note") == "unverified", "an unchecked entry must say so"
    else:
        checked = date.fromisoformat(str(entry["checked"]))
        assert checked <= date.today() + timedelta(days=1)


@pytest.mark.parametrize("code, entry", ENTRIES, ids=[e["id"] for _, e in ENTRIES])
def test_opening_hours_are_given_in_spanish_too(code: str, entry: dict) -> None:
    """A crisis reply in Spanish must not switch to English for the hours ("7am to midnight")."""
    if entry.get("hours") and entry["hours"] != "24/7":
        assert entry.get("hours_es"), f"{entry['id']}: add hours_es"


def test_a_reply_in_spanish_gives_the_hours_in_spanish() -> None:
    lifeline = next(h for h in load_catalogue().regions["NZ"].helplines if h.id == "nz_lifeline")
    assert lifeline.hours_es and lifeline.hours_es in format_helpline(lifeline, "twilio", "es")
    assert lifeline.hours and lifeline.hours in format_helpline(lifeline, "twilio", "en")
    assert lifeline.hours not in format_helpline(lifeline, "twilio", "es")


def test_entry_ids_are_unique() -> None:
    ids = [e["id"] for _, e in ENTRIES]
    assert len(ids) == len(set(ids))


MAX_AGE = timedelta(days=365)


def stale(entries: list[tuple[str, dict]], today: date) -> list[str]:
    return [
        f"{e['id']} (checked {e['checked']})" for _, e in entries
        if e.get("checked") and date.fromisoformat(str(e["checked"])) < today - MAX_AGE
    ]


def test_no_entry_was_checked_more_than_twelve_months_ago() -> None:
    """Helplines change numbers and hours without notice: an entry not re-checked within a year fails the build."""
    old = stale(ENTRIES, date.today())
    assert not old, "re-check these against their source_url and update `checked`: " + ", ".join(old)


def test_an_entry_checked_a_year_and_a_day_ago_is_stale() -> None:
    entries = [("US", {"id": "old", "checked": "2025-12-04"}), ("US", {"id": "fresh", "checked": "2025-12-05"})]
    assert stale(entries, date(2026, 12, 5)) == ["old (checked 2025-12-04)"]


@pytest.mark.parametrize("code", ["US", "GB"])
def test_silent_ways_to_reach_the_emergency_number_cite_a_source(code: str) -> None:
    silent = RAW["regions"][code]["silent"]
    assert silent["source_url"].startswith("https://") and silent["text"]["en"] and silent["text"]["es"]


@pytest.mark.parametrize("category", sorted(CATEGORY_PLAN))
@pytest.mark.parametrize("code", sorted(REQUIRED_REGIONS))
def test_every_category_gets_a_helpline_in_every_region(category: str, code: str) -> None:
    chosen = plan_for(load_catalogue().regions[code], category)
    assert chosen, f"no helpline for {category} in {code}"


def test_abuse_leads_with_the_domestic_violence_line() -> None:
    us = load_catalogue().regions["US"]
    assert "domestic_violence" in plan_for(us, "abuse")[0].serves
    assert "child_abuse" in plan_for(us, "child_abuse")[0].serves
    assert plan_for(us, "suicide")[0].phone == "988"


def test_unknown_region_falls_back_to_the_international_directory() -> None:
    assert load_catalogue().region("DE").code == INTERNATIONAL
    assert load_catalogue().region(None).code == INTERNATIONAL


def test_what_the_visitor_says_outranks_the_browser_and_the_channel() -> None:
    # Locale en-US in the browser, "I'm in the UK" in the chat: the UK.
    assert resolve_region(said_region="GB", channel_region="US", default_region="US") == "GB"
    assert resolve_region(said_region="gb", channel_region="CA", locale_region="IE") == "GB"
    # Nothing said: the channel's region, then the weaker locale guess, then the default.
    assert resolve_region(channel_region="CA", locale_region="IE", default_region="US") == "CA"
    assert resolve_region(locale_region="IE", default_region="US") == "IE"
    assert resolve_region(default_region="NZ") == "NZ"
    assert resolve_region(said_region="not a region", channel_region="??", default_region="AU") == "AU"


def test_an_organisations_fixed_region_outranks_everything_only_when_it_says_so() -> None:
    assert resolve_region(fixed_region="IE", said_region="GB", channel_region="US", locale_region="CA") == "IE"
    # Without the fixed flag the organisation's region is a channel region: the visitor's word wins.
    assert resolve_region(said_region="GB", channel_region="IE") == "GB"


def test_region_from_slots_reads_fixed_said_and_channel_slots() -> None:
    slots = {"channel_region": "US", "region": "GB"}
    assert region_from_slots(slots.get) == "GB"
    assert region_from_slots({**slots, "fixed_region": "AU"}.get) == "AU"
    assert region_from_slots({"channel_region": "CA"}.get) == "CA"


def test_numbers_are_links_on_the_web_and_plain_elsewhere() -> None:
    h = load_catalogue().regions["US"].serving("crisis")[0]
    assert "[988](tel:988)" in format_helpline(h, "socketio")
    assert "[988](sms:988)" in format_helpline(h, "socketio")
    assert "](" not in format_helpline(h, "twilio") and "988" in format_helpline(h, "twilio")


def test_linkify_handles_calls_and_keyword_texts() -> None:
    text = "call 1-800-799-7233 or text START to 88788, or call 116 123"
    assert linkify(text) == (
        "call [1-800-799-7233](tel:18007997233) or text START to [88788](sms:88788), or call [116 123](tel:116123)"
    )


def test_the_issues_missing_services_are_listed() -> None:
    catalogue = load_catalogue()
    gb, au, india = catalogue.regions["GB"], catalogue.regions["AU"], catalogue.regions["IN"]
    assert any(h.phone == "0808 808 8000" and h.area == "Northern Ireland" for h in gb.helplines)
    assert any(h.phone == "13 92 76" for h in au.helplines)
    # India's NCW short code leads the abuse lines; its long number is still shown.
    ncw = plan_for(india, "abuse")[0]
    assert ncw.phone == "14490" and "call 7827170170" in format_helpline(ncw, "twilio")


def test_a_line_for_one_nation_never_stands_in_for_the_whole_country() -> None:
    gb = load_catalogue().regions["GB"]
    for category in ("suicide", "self_harm", "third_party"):
        assert not any(h.area for h in plan_for(gb, category)), category


def test_hours_have_no_nested_brackets() -> None:
    for _, entry in ENTRIES:
        assert "(" not in (entry.get("hours") or ""), entry["id"]


def test_uk_abuse_lines_are_for_everyone_not_only_women() -> None:
    lines = plan_for(load_catalogue().regions["GB"], "abuse")
    assert any(h.phone == "0808 801 0327" for h in lines)  # the Men's Advice Line, UK-wide
    assert {h.area for h in lines if h.area} >= {"England", "Scotland", "Wales", "Northern Ireland"}


def test_new_zealand_abuse_replies_lead_with_a_line_for_everyone() -> None:
    assert plan_for(load_catalogue().regions["NZ"], "abuse")[0].phone == "0508 744 633"  # Shine, before Women's Refuge


def test_australia_has_a_line_for_adults_worried_about_a_child() -> None:
    """Bravehearts, confirmed on its own page: the adult-facing reply leads with it, the child-facing one does not."""
    au = load_catalogue().regions["AU"]
    adult = plan_for(au, "child_abuse/adult")
    assert adult[0].phone == "1800 272 831" and {"child_abuse", "third_party"} <= set(adult[0].serves)
    assert adult[0].source_url.startswith("https://bravehearts.org.au/")
    assert plan_for(au, "child_abuse/child")[0].phone == "1800 55 1800"  # Kids Helpline for a child
