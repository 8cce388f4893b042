"""The widget's "Need help now?" panel follows the country the bot's replies use: the server side.

Every reply on the widget's channel carries ``region`` (the renderer puts it
in, the socket.io output sends it with each ``bot_uttered``), and the web
server's /resources gives that country's lines. The widget itself is driven
in a browser by tests/e2e/test_widget_browser_region.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.actions.action import create_bot_utterance

from bot.channels.socketio import RegionSocketIOOutput
from bot.conversation.nlg import ContextualNLG
from bot.runtime.web import crisis_resources
from tests.unit.test_crisis_responses import domain, render


class RecordingSocket:
    """Stands where the socket.io server is: keeps what is emitted."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, Any]] = []

    async def emit(self, event: str, data: Any = None, room: Any = None, **_: Any) -> None:
        self.emitted.append((event, data, room))


def sent(message: dict[str, Any]) -> list[dict[str, Any]]:
    """What the widget receives for one rendered reply, through Rasa's own bot-utterance handling."""
    sio = RecordingSocket()
    output = RegionSocketIOOutput(sio, "bot_uttered")  # type: ignore[arg-type]
    asyncio.run(output.send_response("visitor", create_bot_utterance(dict(message)).message()))
    assert all(event == "bot_uttered" and room == "visitor" for event, _, room in sio.emitted)
    return [data for _, data, _ in sio.emitted]


def test_a_country_the_visitor_names_reaches_the_widget_with_every_reply() -> None:
    """Locale en-US, then "I'm in the UK": the reply, and the panel, are for the United Kingdom."""
    nlg = ContextualNLG(domain=domain())
    message = render(nlg, "utter_region_noted", "socketio", channel_region="US", region="GB")
    assert message["region"] == "GB"
    received = sent(message)
    assert received and all(r["region"] == "GB" for r in received)
    assert "116 123" in received[0]["text"]


def test_every_reply_on_the_widget_carries_the_region_crisis_or_not() -> None:
    nlg = ContextualNLG(domain=domain())
    assert render(nlg, "utter_faq/what_is_psychotherapy", "socketio", channel_region="IE")["region"] == "IE"
    crisis = render(nlg, "utter_crisis_suicide", "socketio", channel_region="US", region="AU")
    received = sent(crisis)
    assert {r["region"] for r in received} == {"AU"} and received[-1]["quick_replies"]


def test_a_country_without_its_own_lines_is_the_international_directory() -> None:
    message = render(ContextualNLG(domain=domain()), "utter_region_noted", "socketio", channel_region="US", region="DE")
    assert message["region"] == "INTL"


def test_other_channels_get_no_region() -> None:
    nlg = ContextualNLG(domain=domain())
    for channel in ("rest", "twilio", "telegram"):
        assert "region" not in render(nlg, "utter_region_noted", channel, channel_region="US", region="GB"), channel


def test_only_a_region_code_is_passed_on() -> None:
    for region in ("<script>", "gb", "", None, 12):
        received = sent({"text": "hello", "region": region})
        assert received == [{"text": "hello"}], region


def test_the_resources_for_the_named_country_say_whose_numbers_they_are() -> None:
    gb = crisis_resources("GB")
    assert gb["region"] == "GB" and gb["the_region"] == "the United Kingdom"
    assert any("116 123" in line for line in gb["lines"]) and "999" in gb["emergency_text"]
    assert crisis_resources("INTL")["region"] == "INTL"
