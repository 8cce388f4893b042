"""Crisis helplines by region, and how to present them for a crisis category and a channel.

The catalogue lives in ``data/resources/helplines.yml``, its one source. Every
process reads it once into memory (the crisis turn must never wait on a
database) and presents it with the functions here, so the wording of a helpline
never depends on which process printed it. The generated crisis responses
(``data/crisis/responses.yml``) and the web page's built-in lines are made from
it, and tests prove each of them shows every number.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import yaml

from bot.core.settings import get_settings

INTERNATIONAL = "INTL"

# The needs a helpline can serve (the `serves` list in the data file).
# "spanish": a service that answers in Spanish; the Spanish crisis replies lead with it.
# "perinatal": a line for pregnancy and the first year after birth (harm-to-others replies about a baby).
NEEDS = ("crisis", "self_harm", "domestic_violence", "child_abuse", "sexual_assault", "youth", "third_party", "spanish",
         "perinatal")

# For each crisis category: which needs lead, in order. Abuse leads with the
# specialist lines; where the emergency number goes first (attempts, immediate
# danger) is decided by the wording in bot/conversation/crisis/templates.py.
# A need "a&b" is a line that serves both ("child_abuse&youth": a children's line
# about abuse, not any youth line).
CATEGORY_PLAN: dict[str, tuple[str, ...]] = {
    "suicide": ("crisis",),
    "self_harm": ("self_harm", "crisis"),
    "attempt": ("crisis",),
    # The danger is not known: the general crisis line, then the domestic-violence line.
    "immediate_danger": ("crisis", "domestic_violence"),
    "harm_to_others": ("crisis",),
    "abuse": ("domestic_violence", "sexual_assault", "crisis"),
    # Not known whether a child writes or an adult worried about one: every child line.
    "child_abuse": ("child_abuse", "youth", "crisis"),
    "third_party": ("third_party", "crisis"),
    # A category's situations (bot.conversation.crisis.situation): "<category>/<situation>".
    # A harm-to-others message about a baby: the perinatal line, then the crisis line.
    "harm_to_others/perinatal": ("perinatal", "crisis"),
    # A child writing about themselves: the children's line (Childline, Kids Helpline, Childhelp); a
    # crisis line and a line to text are added only where it is neither (the reply stays short).
    "child_abuse/child": ("child_abuse&youth",),
    # An adult worried about a child: the line for concerned adults (NSPCC, Childhelp, Oranga Tamariki).
    "child_abuse/adult": ("child_abuse&third_party",),
    # Immediate danger from a partner, an ex or someone at the door: the domestic-violence line.
    "immediate_danger/threat": ("domestic_violence",),
    # Immediate danger to themselves (a high place, a weapon held against themselves): the suicide crisis line.
    "immediate_danger/self": ("crisis", "self_harm"),
    # Harm from someone else who is not a partner: the general crisis line.
    "immediate_danger/other": ("crisis",),
}

# Where only a line of one of these needs may open a reply; without one the
# emergency number leads (an adult worried about a child is not sent to a
# suicide line first).
LEAD_NEEDS: dict[str, str] = {"child_abuse/adult": "child_abuse&third_party", "child_abuse/child": "child_abuse&youth"}

# Needs for which every line is listed, not only the first: a child writing
# about themselves and an adult worried about a child need different lines.
LIST_ALL = frozenset({"child_abuse"})

# Replies whose first sentence is the emergency number, whatever lines the region has.
EMERGENCY_LEADS = frozenset({"attempt", "immediate_danger", "third_party"})


# Channels whose clients render markdown links; others get plain text.
LINK_CHANNELS = {"socketio", "rest", "webchat"}
PLAIN_CHANNELS = {"twilio", "sms"}


@dataclass(frozen=True)
class Helpline:
    id: str
    name: str
    serves: tuple[str, ...]
    source_url: str
    phone: Optional[str] = None
    # A second number for the same service (a long-format number beside a short code).
    phone_alt: Optional[str] = None
    sms: Optional[str] = None
    sms_keyword: Optional[str] = None
    chat_url: Optional[str] = None
    url: Optional[str] = None
    hours: Optional[str] = None
    hours_es: Optional[str] = None  # the same hours for the reply in Spanish ("24/7" needs none)
    checked: Optional[date] = None
    # The menu option that reaches this service on a shared number ("988, then press 2").
    press: Optional[str] = None
    # The part of the country a line serves ("Scotland"), when it does not serve all of it.
    area: Optional[str] = None


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    emergency: str
    helplines: tuple[Helpline, ...] = field(default_factory=tuple)
    # How to reach the emergency services without speaking, per reply language ("en", "es").
    silent: dict[str, str] = field(default_factory=dict)
    # Where the emergency number does not reach everyone (911 in parts of Nunavut), per reply language.
    emergency_note: dict[str, str] = field(default_factory=dict)

    def serving(self, need: str) -> list[Helpline]:
        """The lines that serve a need, in file order; "a&b" means both."""
        needs = need.split("&")
        return [h for h in self.helplines if all(n in h.serves for n in needs)]


@dataclass(frozen=True)
class Catalogue:
    regions: dict[str, RegionInfo]

    def region(self, code: Optional[str]) -> RegionInfo:
        """The region's entry, or the international fallback for any region we do not list."""
        code = (code or "").upper()
        return self.regions.get(code) or self.regions[INTERNATIONAL]


def _helpline(entry: dict) -> Helpline:
    checked = entry.get("checked")
    if isinstance(checked, str):
        checked = date.fromisoformat(checked)
    required = {"id", "name", "serves", "source_url", "checked"}
    optional = {f.name: _str_or_none(entry.get(f.name)) for f in fields(Helpline) if f.name not in required}
    return Helpline(id=str(entry["id"]), name=str(entry["name"]), serves=tuple(entry.get("serves") or ()),
                    source_url=str(entry["source_url"]), checked=checked, **optional)


def _str_or_none(value: object) -> Optional[str]:
    return None if value in (None, "") else str(value)


def parse_catalogue(data: dict) -> Catalogue:
    regions = {}
    for code, body in (data.get("regions") or {}).items():
        regions[str(code).upper()] = RegionInfo(
            code=str(code).upper(),
            name=str(body["name"]),
            emergency=str(body.get("emergency") or ""),
            helplines=tuple(_helpline(e) for e in body.get("resources") or ()),
            silent={str(k): str(v) for k, v in ((body.get("silent") or {}).get("text") or {}).items()},
            emergency_note={str(k): str(v) for k, v in ((body.get("emergency_note") or {}).get("text") or {}).items()},
        )
    if INTERNATIONAL not in regions:
        raise ValueError(f"the helplines file must have an {INTERNATIONAL} fallback region")
    return Catalogue(regions)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Catalogue:
    with open(path, encoding="utf-8") as fh:
        return parse_catalogue(yaml.safe_load(fh))


def load_catalogue(path: Optional[str | Path] = None) -> Catalogue:
    """The catalogue, cached; re-read only when the file changes."""
    p = str(path or get_settings().resources_file)
    return _load(p, Path(p).stat().st_mtime)


def _region_code(candidate: Optional[str]) -> Optional[str]:
    if candidate and re.fullmatch(r"[A-Za-z]{2}|INTL", candidate.strip()):
        return candidate.strip().upper()
    return None


def resolve_region(
    *,
    fixed_region: Optional[str] = None,
    said_region: Optional[str] = None,
    channel_region: Optional[str] = None,
    locale_region: Optional[str] = None,
    default_region: Optional[str] = None,
) -> str:
    """The region whose numbers a crisis reply gives, in order of trust.

    1. ``fixed_region``: an organisation that serves one country and says so
       in its tenant record (``region_fixed``); nothing the visitor's device or
       words suggest can send its visitors elsewhere.
    2. ``said_region``: what the visitor told us ("I'm in the UK"). A person
       travelling, or on a borrowed or misconfigured device, knows where they are;
       every first crisis reply names its country so they can correct it.
    3. ``channel_region``: what the channel knows (the embed snippet's
       ``region``, Twilio's ``FromCountry``, or the browser locale).
    4. ``locale_region``: a weaker guess kept apart (the page's Accept-Language).
    5. ``default_region``, then ``DEFAULT_REGION``.
    """
    for candidate in (fixed_region, said_region, channel_region, locale_region, default_region):
        code = _region_code(candidate)
        if code:
            return code
    return get_settings().default_region


def region_from_slots(get_slot: Callable[[str], Any]) -> str:
    """The visitor's region from the conversation's slots (see ``resolve_region`` for the order)."""
    return resolve_region(
        fixed_region=get_slot("fixed_region"), said_region=get_slot("region"), channel_region=get_slot("channel_region")
    )


def plan_for(region: RegionInfo, category: str) -> list[Helpline]:
    """The helplines to show first for a crisis category, most specific first, no repeats.

    One line per need in the category's plan (every line for a need in
    ``LIST_ALL``, and every nation's line where the first line for a need
    serves one nation only), then a crisis line if none was chosen yet, then a
    line that can be texted if none can: some people cannot speak safely, or
    at all, when they reach out.
    """
    needs = CATEGORY_PLAN.get(category, CATEGORY_PLAN["suicide"])
    chosen: list[Helpline] = []

    def take(candidates: list[Helpline]) -> None:
        for h in candidates:
            if h not in chosen:
                chosen.append(h)
                return

    for need in needs:
        serving = region.serving(need)
        # Lines split by nation (England, Scotland, Wales, Northern Ireland): all of
        # them, each labelled, and one that serves the whole country if there is one.
        if need in LIST_ALL or (serving and serving[0].area):
            chosen.extend(h for h in serving if (h.area or need in LIST_ALL) and h not in chosen)
        take([h for h in serving if not h.area])
    if not any("crisis" in h.serves for h in chosen):
        take(region.serving("crisis"))
    if not any(h.sms for h in chosen):
        take([h for h in region.serving("crisis") if h.sms])
    return chosen


def _digits(number: str) -> str:
    return re.sub(r"[^\d+]", "", number)


def format_number(number: str, scheme: str, channel: str) -> str:
    """A number as a tappable link on the web, and written out plainly elsewhere."""
    if channel in LINK_CHANNELS:
        return f"[{number}]({scheme}:{_digits(number)})"
    return number


# The words around a number, per reply language (the crisis reply in Spanish uses "es").
_WAYS_WORDS = {
    "en": {"call": "call {n}", "press": " and press {p}", "text_kw": "text {k} to {n}", "text": "text {n}",
           "chat": "chat at {u}", "chat_link": "[chat online]({u})", "see": "see {u}", "or": " or "},
    "es": {"call": "llama al {n}", "press": " y marca {p}", "text_kw": "envía {k} al {n}", "text": "envía un mensaje al {n}",
           "chat": "chatea en {u}", "chat_link": "[chatea en línea]({u})", "see": "visita {u}", "or": " o "},
}


def _ways(h: Helpline, channel: str, language: str = "en") -> str:
    words = _WAYS_WORDS.get(language, _WAYS_WORDS["en"])
    ways = []
    if h.phone:
        press = words["press"].format(p=h.press) if h.press else ""
        ways.append(words["call"].format(n=format_number(h.phone, "tel", channel)) + press)
    if h.phone_alt:
        ways.append(words["call"].format(n=format_number(h.phone_alt, "tel", channel)))
    if h.sms:
        to = format_number(h.sms, "sms", channel)
        ways.append(words["text_kw"].format(k=h.sms_keyword, n=to) if h.sms_keyword else words["text"].format(n=to))
    if h.chat_url:
        ways.append(words["chat"].format(u=h.chat_url) if channel not in LINK_CHANNELS else words["chat_link"].format(u=h.chat_url))
    if not ways and h.url:
        ways.append(words["see"].format(u=h.url))
    return ", ".join(ways[:-1]) + (words["or"] if len(ways) > 1 else "") + ways[-1] if ways else ""


def format_helpline(h: Helpline, channel: str, language: str = "en") -> str:
    """One line a person can act on: the name and exactly how to reach it (call, text, chat)."""
    # Opening hours matter for a line you call or text (a directory is always open), in the reply's language.
    hours = (h.hours_es if language == "es" and h.hours_es else h.hours) if h.phone or h.sms else None
    return f"{h.name} — {_ways(h, channel, language)}" + (f" ({hours})" if hours else "")


def short_helpline(h: Helpline, channel: str = "plain", language: str = "en") -> str:
    """The name and the quickest ways to reach it, for a sentence ("... reach X (call 988)")."""
    quick = Helpline(id=h.id, name=h.name, serves=h.serves, source_url=h.source_url, phone=h.phone, sms=h.sms,
                     sms_keyword=h.sms_keyword, press=h.press)
    ways = _ways(quick, channel, language)
    return f"{h.name} ({ways})" if ways else f"{h.name} at {h.url}"


_CALL_OR_TEXT = re.compile(
    r"\b([Cc]all(?: or text)?|[Tt]ext(?: [A-Z0-9]+ to)?|[Ll]lama(?: o envía un mensaje)? al|[Ee]nvía(?: un mensaje| [A-Z0-9]+)? al)"
    r" (\+?\d[\d -]*\d)"
)


def linkify(text: str) -> str:
    """Turn "call 988" / "Call or text 988" / "text HOME to 741741" (or the Spanish) in plain text into tel:/sms: links."""

    def link(m: re.Match) -> str:
        verb, number = m.group(1), m.group(2)
        scheme = "tel" if verb.lower().startswith(("call", "llama")) else "sms"
        return f"{verb} [{number}]({scheme}:{_digits(number)})"

    return _CALL_OR_TEXT.sub(link, text)


def emergency_text(region: RegionInfo, channel: str) -> str:
    if not region.emergency:
        return "your local emergency number (112 works in every EU country)"
    return format_number(region.emergency, "tel", channel)


def bullet_list(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


_LEAD_WORDS = {
    "en": {"call_or_text": "call or text {n}", "call": "call {n}", "press": " and press {p}",
           "text_kw": "text {k} to {n}", "text": "text {n}"},
    "es": {"call_or_text": "llama o envía un mensaje al {n}", "call": "llama al {n}", "press": " y marca {p}",
           "text_kw": "envía {k} al {n}", "text": "envía un mensaje al {n}"},
}


def lead_way(h: Helpline, language: str = "en") -> Optional[str]:
    """One number and how to use it ("call or text 988"), for a reply's first sentence; None if it has none."""
    words = _LEAD_WORDS.get(language, _LEAD_WORDS["en"])
    if h.phone and h.sms and _digits(h.phone) == _digits(h.sms) and not h.sms_keyword and not h.press:
        return words["call_or_text"].format(n=h.phone)
    if h.phone:
        return words["call"].format(n=h.phone) + (words["press"].format(p=h.press) if h.press else "")
    if h.sms:
        return words["text_kw"].format(k=h.sms_keyword, n=h.sms) if h.sms_keyword else words["text"].format(n=h.sms)
    return None


def lead_helpline(plan: list[Helpline], category: str) -> Optional[Helpline]:
    """The line whose number opens the reply, or None where the emergency number does.

    The emergency number leads for an attempt, immediate danger and someone
    else's crisis (they may not be responding), and wherever the first line that
    can be called or texted serves only part of the country.
    """
    if category.split("/")[0] in EMERGENCY_LEADS:
        return None
    reachable = [h for h in plan if (h.phone or h.sms) and all(n in h.serves for n in LEAD_NEEDS.get(category, "").split("&") if n)]
    return reachable[0] if reachable and not reachable[0].area else None


def the_region(region: RegionInfo) -> str:
    """The country as it reads in a sentence: "the United Kingdom", "Canada"."""
    return f"the {region.name}" if region.name.startswith("United ") else region.name


def template_variables(region: RegionInfo, category: str, language: str = "en") -> dict[str, str]:
    """Plain-text values for the crisis templates' placeholders (links are added per channel later).

    In Spanish, a region's Spanish-language services (need ``spanish``) come first.
    ``lead_way``/``Lead_way``/``lead_name`` are empty when the emergency number
    leads (see ``lead_helpline``).
    """
    plan = plan_for(region, category)
    primary = region.serving("crisis")
    if language == "es":
        spanish = region.serving("spanish")
        # A Spanish-language crisis line replaces the English one, not joins it.
        rest = [h for h in plan if h not in spanish and not (spanish and "crisis" in h.serves)]
        # In a situation's reply the line for that situation (a children's line, the line for adults
        # worried about a child, the domestic-violence line) stays first; the Spanish line follows it.
        keep_first = "/" in category and rest and plan and rest[0] is plan[0]
        plan = rest[:1] + spanish + rest[1:] if keep_first else spanish + rest
        primary = spanish + primary
    lines = [format_helpline(h, "plain", language) for h in plan]
    lead = lead_helpline(plan, category)
    way = lead_way(lead, language) if lead else ""
    silent = region.silent.get(language) or region.silent.get("en") or ""
    reachable_primary = [h for h in primary if h.phone or h.sms]
    return {
        "crisis_lines": bullet_list(lines),
        "emergency_number": emergency_text(region, "plain"),
        "region_name": region.name,
        "the_region": the_region(region),
        "primary_line": short_helpline(primary[0], "plain", language) if primary else emergency_text(region, "plain"),
        "lead_short": short_helpline(reachable_primary[0], "plain", language) if reachable_primary
        else emergency_text(region, "plain"),
        "lead_way": way or "",
        "Lead_way": (way[:1].upper() + way[1:]) if way else "",
        "lead_name": lead.name if lead else "",
        "silent_line": f"{silent}\n" if silent else "",
        "emergency_note": region.emergency_note.get(language) or region.emergency_note.get("en") or "",
    }
