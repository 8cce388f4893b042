"""docs/crisis-transcripts.md shows every crisis reply as it is sent, and each opens with one number."""

from __future__ import annotations

import re

import yaml

from bot.conversation.crisis.transcripts import CHANNELS, OUTPUT, main, replies
from bot.core.settings import ROOT

RESPONSES = yaml.safe_load((ROOT / "data/crisis/responses.yml").read_text())["responses"]
HEADING = re.compile(r"^### (\w+) · (\S+) · (\S+) · (\w+)$", re.M)
WHOLE_NUMBER = re.compile(r"(?<![\w-])\d[\d -]*\d(?![\w-])")


def blocks() -> dict[tuple[str, str, str, str], str]:
    """Each heading's reply text (the quoted lines under it), keyed by region, response, language, channel."""
    text = OUTPUT.read_text(encoding="utf-8")
    found = {}
    parts = HEADING.split(text)
    for i in range(1, len(parts), 5):
        key = tuple(parts[i:i + 4])
        body = "\n".join(line[2:] for line in parts[i + 4].splitlines() if line.startswith("> "))
        found[key] = body
    return found


def test_the_transcripts_file_is_fresh() -> None:
    assert main(["--check"]) == 0, "run `make crisis-transcripts`"


def test_every_region_reply_language_and_channel_is_in_the_file() -> None:
    expected = {
        (region, name, language, channel)
        for region, language, name, _ in replies(RESPONSES)
        for channel in CHANNELS
    }
    assert set(blocks()) == expected
    regions = {c["value"] for vs in RESPONSES.values() for v in vs for c in v.get("condition") or [] if c["name"] == "resolved_region"}
    assert len(expected) >= len(regions) * 10 * len(CHANNELS)


def test_every_reply_in_the_file_opens_with_one_number() -> None:
    for key, body in blocks().items():
        first = re.split(r"(?<=[.!?])\s|\n", body.strip(), maxsplit=1)[0]
        plain = re.sub(r"\]\([^)]*\)", "]", first)
        numbers = {re.sub(r"\D", "", n) for n in WHOLE_NUMBER.findall(plain) if not re.fullmatch(r"\d{1,2}-\d{1,2}", n)}
        assert len(numbers) == 1, f"{key} opens with {first!r}"


def test_web_replies_carry_links_and_sms_replies_none() -> None:
    for (region, name, language, channel), body in blocks().items():
        if channel == "SMS":
            assert "](" not in body, (region, name, language)
        elif region != "INTL":
            assert "](tel:" in body or "](sms:" in body, (region, name, language)
