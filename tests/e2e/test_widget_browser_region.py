"""The widget's "Need help now?" panel follows the country the visitor names in the chat, in a real browser.

The chat's replies switch country when the visitor says where they are; each
reply carries ``region`` (bot.channels.socketio.RegionSocketIOOutput) and the
panel fetches that country's lines. The server side is unit-tested in
tests/unit/test_widget_region.py. Same stack and browser as
tests/e2e/test_widget_browser.py (module-scoped fixtures: its own stack).
"""

from __future__ import annotations

import pytest

from tests.support.widget import (  # noqa: F401 - stack, ready, web, browser and page_at are fixtures
    WAIT_MS,
    Client,
    Stack,
    ask,
    bot_bubbles,
    browser,
    in_own_loop,
    page_at,
    ready,
    shot,
    stack,
    web,
)

pytestmark = pytest.mark.e2e


def test_every_reply_tells_the_widget_the_country_of_its_numbers(ready: Stack) -> None:
    """Over the widget's socket (no browser): locale en-US, then "I'm in the UK": the replies carry region GB."""

    async def scenario() -> None:
        visitor = Client()
        try:
            await visitor.connect(ready.chat_url, ready.origin)
            session_id = await visitor.session()
            metadata = {"locale": "en-US"}
            await visitor.emit("user_uttered", {"message": "what is CBT?", "session_id": session_id, "metadata": metadata})
            first = await visitor.replies_within(WAIT_MS / 1000, until="Cognitive behavioral therapy")
            assert first and all(data.get("region") == "US" for name, data in first if name == "bot_uttered"), first
            await visitor.emit("user_uttered", {"message": "I'm in the UK", "session_id": session_id, "metadata": metadata})
            said = await visitor.replies_within(WAIT_MS / 1000, until="United Kingdom")
            replies = [data for name, data in said if name == "bot_uttered"]
            assert replies and all(r.get("region") == "GB" for r in replies), said
            assert "116 123" in " ".join(str(r.get("text")) for r in replies)
        finally:
            await visitor.close()

    in_own_loop(scenario())


def test_the_help_panel_follows_the_country_the_visitor_names(ready: Stack, page_at) -> None:
    """Locale en-US, so the panel opens with US lines; "I'm in the UK": the panel shows the UK's."""
    from playwright.sync_api import expect

    page = page_at(ready.page_url, locale="en-US")
    help_button = page.get_by_role("button", name="Need help now?")
    panel = page.locator("#tc-help")
    help_button.click()
    expect(panel.locator('a[href="tel:988"]')).to_have_count(1)
    page.locator("#tc-help .tc-help-close").click()
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "I'm in the UK")
    expect(bot_bubbles(page).first).to_contain_text("United Kingdom", timeout=WAIT_MS)
    help_button.click()
    expect(panel).to_contain_text("Numbers for the United Kingdom.", timeout=WAIT_MS)
    expect(panel).to_contain_text("Samaritans")
    expect(panel.locator('a[href="tel:116123"]').first).to_be_visible()
    expect(panel.locator('a[href="tel:999"]')).to_have_count(1)
    assert "988" not in panel.inner_text() and "911" not in panel.inner_text()
    shot(page, "help-follows-said-uk")
    # A reload of the tab keeps the conversation, and the panel keeps its country.
    page.reload()
    page.wait_for_selector(".tc-widget")
    page.get_by_role("button", name="Need help now?").click()
    expect(page.locator("#tc-help")).to_contain_text("Samaritans", timeout=WAIT_MS)
    assert "988" not in page.locator("#tc-help").inner_text()
    assert page.errors == []
