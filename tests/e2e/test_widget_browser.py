"""The web widget in a real browser (Debian's chromium driven by Playwright)
against the real servers: the page from ``bot.runtime.web``, the action server and
the Rasa server with the trained model, each started with ``bot.runtime.run``'s
commands on free ports.

The tests run in file order, cheapest first: the page and its help panel are
checked while Rasa is still loading its model (the page must not need it),
the conversation once Rasa answers, and the outage last, after stopping Rasa.
Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import json
import re
import signal
import time
import urllib.request

import pytest

from tests.support.widget import (  # noqa: F401 - stack, ready, web, browser and page_at are fixtures
    JWT_SECRET,
    TENANT_COLOUR,
    TENANT_SLUG,
    WAIT_MS,
    Client,
    Stack,
    ask,
    bot_bubbles,
    browser,
    fetch,
    in_own_loop,
    page_at,
    ready,
    shot,
    signal_tree,
    stack,
    user_metadata,
    web,
)

pytestmark = pytest.mark.e2e

# --- the page alone: served and complete while Rasa is still loading ------------------


def test_need_help_now_shows_the_crisis_lines_without_typing(stack: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(stack.page_url, width=375)
    help_button = page.get_by_role("button", name="Need help now?")
    expect(help_button).to_be_visible()
    # Keyboard only: reach the button, open the panel with Enter, close it with Escape.
    help_button.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#tc-help")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("988 Suicide & Crisis Lifeline")
    expect(panel).to_contain_text("911")
    expect(panel.locator('a[href="tel:988"]')).to_have_count(1)
    expect(panel.locator('a[href="sms:988"]')).to_have_count(1)
    expect(panel.locator('a[href="tel:911"]')).to_have_count(1)
    assert page.evaluate("document.activeElement.id") == "tc-help-heading"
    shot(page, "help-375px")
    # Everything fits a 375 px phone screen.
    box = page.locator(".tc-widget").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == "Need help now?"
    assert page.errors == []


def test_the_page_carries_the_visitors_region_lines(stack: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(stack.page_url, locale="en-GB")
    page.get_by_role("button", name="Need help now?").click()
    panel = page.locator("#tc-help")
    expect(panel).to_contain_text("Samaritans")
    expect(panel.locator('a[href="tel:999"]')).to_have_count(1)
    assert "988" not in panel.inner_text()


def test_accessible_structure(stack: Stack, page_at) -> None:
    page = page_at(stack.page_url)
    log = page.locator(".tc-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert page.get_by_label("Your message").count() == 1
    assert page.locator(".tc-widget").get_attribute("aria-label")
    # Tab order: the input, then Send.
    page.locator("#tc-input").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Send"
    # The focused control is visibly outlined.
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


# The test's own way to hand the widget a server message: keep the socket the widget opens.
KEEP_SOCKET = """
(() => {
  let real;
  Object.defineProperty(window, "io", {
    configurable: true,
    get() { return real; },
    set(io) { real = function () { const s = io.apply(this, arguments); window.__chatSocket = s; return s; }; },
  });
})();
"""


def test_bot_text_is_shown_as_text_never_run_as_html(stack: Stack, page_at) -> None:
    page = page_at(stack.page_url, init_script=KEEP_SOCKET)
    hostile = (
        'Hi <img src=x onerror="window.__pwned = 1"> <script>window.__pwned = 2</script> '
        "[click me](javascript:window.__pwned=3) [call](tel:988) **kind** https://example.org/x sms:741741"
    )
    # Page scripts cannot speak as the bot: the widget's public object takes no messages.
    assert page.evaluate("typeof window.TherapyChat.receive") == "undefined"
    page.wait_for_function("window.__chatSocket", timeout=WAIT_MS)
    # As if the server sent it: through the widget's own bot_uttered handler on its socket.
    page.evaluate("text => window.__chatSocket.listeners('bot_uttered')[0]({text: text})", hostile)
    bubble = bot_bubbles(page).last
    assert '<img src=x onerror="window.__pwned = 1">' in bubble.inner_text()
    assert "<script>" in bubble.inner_text()
    assert bubble.locator("img, script").count() == 0
    assert page.evaluate("window.__pwned") is None
    hrefs = bubble.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["tel:988", "https://example.org/x", "sms:741741"]
    assert "click me" in bubble.inner_text()  # the words of an unsafe link stay, the link does not
    assert bubble.locator("strong").inner_text() == "kind"
    # The renderer on its own: a fragment of elements it built, no HTML parsed.
    tags = page.evaluate(
        "() => Array.from(window.TherapyChat.renderMarkdown('<b>x</b>\\n- one\\n- two').querySelectorAll('*'))"
        ".map(n => n.tagName)"
    )
    assert tags == ["P", "UL", "LI", "LI"]


def test_the_web_server_answers_bad_requests_with_4xx_never_500(web: Stack) -> None:
    base = web.page_url
    status, _, body = fetch(base + "resources?region=%3Cscript%3E", {"Accept-Language": "xx"})
    assert status == 200 and json.loads(body)["region"] == "US"  # nonsense falls back to DEFAULT_REGION
    status, headers, body = fetch(base + "resources?region=ie")
    assert status == 200 and json.loads(body)["region"] == "IE" and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = fetch(base, {"Host": "evil.example;script-src *"})
    assert status < 500
    if status == 200:  # a Host header that is not a host name never reaches the page's policy
        assert "evil" not in headers["Content-Security-Policy"] and "*" not in headers["Content-Security-Policy"]
    assert fetch(base + "static/../bot/core/settings.py")[0] in (403, 404)
    assert fetch(base + "no-such-page")[0] == 404
    assert fetch(base, method="POST")[0] == 405


def test_page_data_cannot_close_its_script_element() -> None:
    from bot.runtime.web import json_for_html

    encoded = json_for_html({"name": "</script><script>alert(1)</script>", "amp": "&"})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"name": "</script><script>alert(1)</script>", "amp": "&"}


# --- the conversation ------------------------------------------------------------------


def test_faq_answer_quick_reply_and_reload(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(ready.page_url)
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "what is CBT?")
    expect(bot_bubbles(page).first).to_contain_text("Cognitive behavioral therapy", timeout=WAIT_MS)
    expect(page.locator(".tc-typing")).to_be_hidden()
    replies = page.locator(".tc-replies button")
    expect(replies.first).to_be_visible(timeout=WAIT_MS)
    title = replies.first.inner_text()
    answers_before = bot_bubbles(page).count()
    replies.first.click()
    # The visitor's bubble shows the button's title, not its payload; a new answer follows.
    expect(page.locator(".tc-log .tc-user").last).to_have_text(f"You: {title}")
    expect(bot_bubbles(page)).not_to_have_count(answers_before, timeout=WAIT_MS)
    assert "/" not in page.locator(".tc-log .tc-user").last.inner_text()
    shot(page, "faq-and-quick-reply")
    session = page.evaluate("sessionStorage.getItem('therapy-chat:session')")
    log_before = page.locator(".tc-log").inner_text()

    page.reload()
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    assert page.locator(".tc-log").inner_text() == log_before
    assert page.evaluate("sessionStorage.getItem('therapy-chat:session')") == session
    shot(page, "after-reload")
    assert page.errors == []


def test_crisis_message_gets_988_at_once(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(ready.page_url)
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "I want to kill myself")
    log = page.locator(".tc-log")
    expect(log.locator('a[href="tel:988"]').first).to_be_visible(timeout=WAIT_MS)
    expect(log).to_contain_text("911")
    shot(page, "crisis")


def test_the_visitors_locale_reaches_the_bot(ready: Stack, page_at) -> None:
    """navigator.language goes out as message metadata: a visitor in the UK gets UK numbers."""
    from playwright.sync_api import expect

    page = page_at(ready.page_url, locale="en-GB")
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "I want to end my life")
    log = page.locator(".tc-log")
    expect(log).to_contain_text("Samaritans", timeout=WAIT_MS)
    expect(log.locator('a[href="tel:999"]').first).to_be_visible()
    assert "988" not in log.inner_text()


def test_what_the_visitor_says_beats_the_browser_locale(ready: Stack, page_at) -> None:
    """Locale en-US, "I'm in the UK", then a crisis: the UK's numbers, and the reply says which country they are for."""
    from playwright.sync_api import expect

    page = page_at(ready.page_url, locale="en-US")
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "I'm in the UK")
    expect(bot_bubbles(page).first).to_contain_text("United Kingdom", timeout=WAIT_MS)
    before = bot_bubbles(page).count()
    ask(page, "I want to kill myself")
    crisis = bot_bubbles(page).nth(before)
    expect(crisis).to_contain_text("Samaritans", timeout=WAIT_MS)
    expect(crisis.locator('a[href="tel:116123"]').first).to_be_visible()
    expect(crisis.locator('a[href="tel:999"]')).to_have_count(1)
    expect(crisis).to_contain_text("Not in the United Kingdom? Tell me where you are.")
    shown = crisis.inner_text()
    assert re.sub(r"^\s*Bot:\s*", "", shown).startswith("Call 116 123"), shown[:80]  # the number first
    assert "988" not in crisis.inner_text() and "911" not in crisis.inner_text()
    shot(page, "crisis-said-uk-with-us-locale")
    assert page.errors == []


def test_an_explicit_region_from_the_embed_config_wins(ready: Stack, page_at) -> None:
    """A site that knows its visitors' country says so; the help panel and the bot follow it."""
    from playwright.sync_api import expect

    from bot.runtime.web import crisis_resources

    irish = crisis_resources("IE", "plain")
    page = page_at(ready.page_url, locale="en-US", init_script="window.TherapyChatConfig = {region: 'ie'};")
    page.get_by_role("button", name="Need help now?").click()
    panel = page.locator("#tc-help")
    expect(panel).to_contain_text(irish["lines"][0].split(" — ")[0])
    expect(panel.locator(f'a[href="tel:{irish["emergency"]}"]')).to_have_count(1)
    assert "988" not in panel.inner_text()
    page.locator("#tc-help .tc-help-close").click()
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    ask(page, "what is therapy")
    expect(bot_bubbles(page).first).to_be_visible(timeout=WAIT_MS)
    sender = json.loads(page.evaluate("sessionStorage.getItem('therapy-chat:session')")).split(".")[0]
    stored = user_metadata(ready.tracker_db, sender)
    assert len(stored) == 1 and stored[0]["region"] == "IE" and stored[0]["locale"] == "en-US"


def test_an_eap_portal_visitor_gets_the_tenants_theme_and_line(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    from bot.tenants.tokens import issue_token

    token = issue_token(TENANT_SLUG, secret=JWT_SECRET)
    page = page_at(ready.page_url, init_script=f"window.TherapyChatConfig = {{tenantToken: {json.dumps(token)}}};")
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    expect(page.locator(".tc-subtitle")).to_have_text("for Widget Test Co")
    colour = page.evaluate("getComputedStyle(document.querySelector('.tc-widget')).getPropertyValue('--tc-primary')")
    assert colour.strip() == TENANT_COLOUR
    page.get_by_role("button", name="Need help now?").click()
    panel = page.locator("#tc-help")
    expect(panel).to_contain_text("Widget Test Co EAP")
    expect(panel.locator('a[href="tel:+18005550199"]')).to_have_count(1)
    expect(panel).to_contain_text("988")
    shot(page, "eap-portal")
    # The tenant came from the token, server-side, into the stored message's metadata.
    page.locator("#tc-help .tc-help-close").click()
    ask(page, "what is therapy")
    expect(bot_bubbles(page).first).to_be_visible(timeout=WAIT_MS)
    sender = json.loads(page.evaluate("sessionStorage.getItem('therapy-chat:session')")).split(".")[0]
    stored = user_metadata(ready.tracker_db, sender)
    assert len(stored) == 1 and stored[0]["tenant"] == TENANT_SLUG and stored[0]["locale"] == "en-US"


def test_an_expired_tenant_token_is_explained(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    from bot.tenants.tokens import issue_token

    token = issue_token(TENANT_SLUG, ttl_seconds=60, secret=JWT_SECRET, now=time.time() - 600)
    page = page_at(ready.page_url, init_script=f"window.TherapyChatConfig = {{tenantToken: {json.dumps(token)}}};")
    notice = page.locator(".tc-log .tc-notice")
    expect(notice.first).to_contain_text("sign-in has expired", timeout=WAIT_MS)
    expect(notice.first).to_contain_text("988")
    expect(page.locator(".tc-widget")).to_be_visible()



# --- the socket.io channel with a plain client -------------------------------------------


def test_a_disallowed_origin_cannot_connect(ready: Stack) -> None:
    with pytest.raises(ConnectionRefusedError):
        in_own_loop(Client().connect(ready.chat_url, "http://evil.example"))
    request = urllib.request.Request(
        ready.chat_url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400


def test_a_guessed_session_id_gets_none_of_another_visitors_replies(ready: Stack) -> None:
    async def scenario() -> None:
        victim, attacker = Client(), Client()
        try:
            await victim.connect(ready.chat_url, ready.origin)
            victim_id = await victim.session()
            await attacker.connect(ready.chat_url, ready.origin)
            attacker_id = await attacker.session(session_id=victim_id.split(".")[0] + "." + "0" * 32)
            assert attacker_id.split(".")[0] != victim_id.split(".")[0]
            await victim.emit("user_uttered", {"message": "what is CBT?", "session_id": victim_id})
            got = await victim.replies_within(WAIT_MS / 1000, until="Cognitive behavioral therapy")
            assert "Cognitive behavioral therapy" in str(got[-1][1].get("text"))
            assert await attacker.replies_within(1) == []
        finally:
            await victim.close()
            await attacker.close()

    in_own_loop(scenario())


# --- the outage: last, it stops Rasa ----------------------------------------------------


def test_a_silent_server_is_reported_with_the_crisis_lines(ready: Stack, page_at) -> None:
    """Connected, but no reply comes (Rasa frozen): after the reply timeout the widget says so."""
    from playwright.sync_api import expect

    page = page_at(ready.page_url, init_script="window.TherapyChatConfig = {replyTimeoutSeconds: 3};")
    expect(page.locator(".tc-widget")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    signal_tree(ready.rasa.pid, signal.SIGSTOP)
    try:
        ask(page, "what is CBT?")
        expect(page.locator(".tc-typing")).to_be_visible()
        notice = page.locator(".tc-log .tc-notice").last
        expect(notice).to_contain_text("not answering", timeout=WAIT_MS)
        expect(notice.locator('a[href="tel:988"]')).to_have_count(1)
        expect(page.locator(".tc-typing")).to_be_hidden()
        shot(page, "no-answer")
    finally:
        signal_tree(ready.rasa.pid, signal.SIGCONT)
    # The late answer still arrives and is shown.
    expect(bot_bubbles(page).first).to_contain_text("Cognitive behavioral therapy", timeout=WAIT_MS)


def test_with_rasa_stopped_the_widget_says_so_and_shows_the_crisis_lines(ready: Stack, page_at) -> None:
    from playwright.sync_api import expect

    page = page_at(ready.page_url)
    widget = page.locator(".tc-widget")
    expect(widget).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    signal_tree(ready.rasa.pid, signal.SIGKILL)  # a crash, not a polite stop: every worker too
    ready.rasa.wait()

    notice = page.locator(".tc-log .tc-notice").last
    expect(notice).to_contain_text("cannot be reached", timeout=WAIT_MS)
    expect(notice.locator('a[href="tel:988"]')).to_have_count(1)
    expect(notice).to_contain_text("911")
    expect(widget).to_be_visible()
    expect(widget).to_have_attribute("data-state", "offline")
    # A message now is not lost silently.
    ask(page, "are you there?")
    expect(page.locator(".tc-log .tc-notice").last).to_contain_text("was not sent")
    shot(page, "rasa-down")

    # A new visitor while Rasa is down: the page still loads and the help works.
    fresh = page_at(ready.page_url, width=375)
    expect(fresh.locator(".tc-log .tc-notice").first).to_contain_text("cannot be reached", timeout=WAIT_MS)
    fresh.get_by_role("button", name="Need help now?").click()
    expect(fresh.locator("#tc-help")).to_contain_text("988")
    shot(fresh, "rasa-down-new-visitor")
