"""docs/sources.md lists what every helpline entry rests on, generated from data/resources/helplines.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.conversation.helpline_sources import BEGIN, END, OUTPUT, RESTS_ON, main, render
from bot.core.settings import ROOT

RAW = yaml.safe_load((ROOT / "data/resources/helplines.yml").read_text())
ENTRIES = [e for body in RAW["regions"].values() for e in body["resources"]]


def test_the_helplines_section_is_fresh() -> None:
    assert main(["--check"]) == 0, "run `make helpline-sources`"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_every_entry_is_listed_with_its_source_and_check_date(entry: dict) -> None:
    listed = [line for line in OUTPUT.read_text(encoding="utf-8").splitlines() if line.startswith(f"- `{entry['id']}` ")]
    assert len(listed) == 1, f"{entry['id']} is not listed in docs/sources.md: run `make helpline-sources`"
    assert entry["source_url"] in listed[0] and entry["name"] in listed[0]
    assert str(entry["checked"]) in listed[0] if entry.get("checked") else "unverified" in listed[0]
    assert listed[0].endswith(f"rests on {RESTS_ON[entry['rests_on']]}")


def test_entries_on_secondary_pages_are_named_before_the_regions() -> None:
    """The next review must see at once which entries no own, operator or government page confirmed."""
    text = OUTPUT.read_text(encoding="utf-8").split(BEGIN, 1)[1].split("### ", 1)[0]
    secondary = {e["id"] for e in ENTRIES if e["rests_on"] == "secondary"}
    named = [line for line in text.splitlines() if line.startswith("Resting on secondary pages only")]
    assert secondary and len(named) == 1
    assert {i.strip("`., ") for i in named[0].split(":", 1)[1].split(",")} == secondary
    assert f"({len(secondary)};" in named[0]


def test_the_section_is_replaced_and_the_rest_of_the_document_kept(tmp_path: Path) -> None:
    helplines = tmp_path / "helplines.yml"
    helplines.write_text(yaml.safe_dump({"regions": {"XX": {"name": "Testland", "resources": [
        {"id": "xx_line", "name": "Test Line", "source_url": "https://example.org/line", "checked": "2026-01-02",
         "rests_on": "secondary"}]}}}))
    document = tmp_path / "sources.md"
    document.write_text("# Sources\n\nkept\n")
    first = render(document, helplines)
    assert first.startswith("# Sources\n\nkept\n") and "- `xx_line` — Test Line — https://example.org/line — checked 2026-01-02" in first
    assert "Resting on secondary pages only (1; " in first and "`xx_line`" in first
    document.write_text(first.replace("Test Line", "Old Name") + "\nafter\n")
    second = render(document, helplines)
    assert "Old Name" not in second and "Test Line" in second and second.endswith("\nafter\n")
    assert second.count(BEGIN) == 1 and second.count(END) == 1
