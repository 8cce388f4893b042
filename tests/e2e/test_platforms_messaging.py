"""Telegram, Slack, Messenger and Twilio SMS on a real `rasa run`: recorded webhooks in, signed as each platform signs them, replies out.

The server is the session's ``platform_server`` (tests/e2e/conftest.py): one
`rasa run` with every platform's variables set to test values and each
``*_API_URL`` pointing at a fake platform (tests/support/platforms.py) that
records every call.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

from tests.support.platforms import (
    FACEBOOK_SECRET,
    FACEBOOK_TOKEN,
    FACEBOOK_VERIFY,
    PUBLIC,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    TWILIO_NUMBER,
    TWILIO_TOKEN,
    TWILIO_URL,
    FakePlatforms,
    delivery_id,
    facebook_headers,
    facebook_message,
    facebook_sent,
    fixture,
    http,
    post_telegram,
    post_twilio,
    slack_event,
    slack_headers,
    slack_sent,
    sms_to,
    telegram_sent,
    telegram_update,
    twilio_form,
)

# --- Telegram ------------------------------------------------------------------------------


def test_telegram_webhook_is_registered_with_the_secret_token(platform_server: int, fake: FakePlatforms) -> None:
    # Each Rasa worker process registers it as it starts (Telegram keeps the last; all are the same).
    calls = fake.wait_for(lambda c: c["path"] == f"/telegram/bot{TELEGRAM_TOKEN}/setWebhook", timeout=20)
    for call in calls:
        assert call["body"]["url"] == f"{PUBLIC}/webhooks/telegram/webhook"
        assert call["body"]["secret_token"] == TELEGRAM_SECRET
        assert json.loads(call["body"]["allowed_updates"]) == ["message", "edited_message", "callback_query"]


def test_telegram_question_is_answered_through_send_message(platform_server: int, fake: FakePlatforms) -> None:
    chat = 5012340001
    assert post_telegram(platform_server, telegram_update("what is cbt?", chat)) == 200
    [sent] = fake.wait_for(telegram_sent(chat))
    assert "Cognitive behavioral therapy" in sent["body"]["text"]
    assert "**" not in sent["body"]["text"]
    keyboard = json.loads(sent["body"]["reply_markup"])["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == ["/faq/dbt", "/faq/homework", "/faq/therapy_types_overview"]


def test_telegram_button_press_is_answered_and_acknowledged(platform_server: int, fake: FakePlatforms) -> None:
    chat = 5012340002
    update = copy.deepcopy(fixture("telegram_callback_query.json"))
    update["update_id"] = delivery_id()
    update["callback_query"]["message"]["chat"]["id"] = chat
    assert post_telegram(platform_server, update) == 200
    [sent] = fake.wait_for(telegram_sent(chat))
    assert "Dialectical behavior therapy" in sent["body"]["text"]
    acks = fake.matching(lambda c: c["path"].endswith("/answerCallbackQuery"))
    assert any(c["body"]["callback_query_id"] == update["callback_query"]["id"] for c in acks)


def test_telegram_crisis_number_comes_first(platform_server: int, fake: FakePlatforms) -> None:
    chat = 5012340003
    assert post_telegram(platform_server, telegram_update("i want to kill myself", chat)) == 200
    first = fake.wait_for(telegram_sent(chat))[0]
    assert "988" in first["body"]["text"] and "911" in first["body"]["text"]
    # Telegram sends no country: the reply says whose numbers these are, and how to change them.
    assert "Not in the United States? Tell me where you are." in first["body"]["text"]


def test_telegram_refuses_forged_and_missing_secret_and_sends_nothing(platform_server: int, fake: FakePlatforms) -> None:
    chat = 5012340004
    assert post_telegram(platform_server, telegram_update("what is cbt?", chat), secret="guessed") == 403
    assert post_telegram(platform_server, telegram_update("what is cbt?", chat), secret=None) == 401
    time.sleep(1)
    assert fake.matching(telegram_sent(chat)) == []


def test_telegram_malformed_bodies_are_400_and_unreadable_updates_200(platform_server: int, fake: FakePlatforms) -> None:
    assert post_telegram(platform_server, b"{not json") == 400
    assert post_telegram(platform_server, [1, 2, 3]) == 400
    assert post_telegram(platform_server, {"update_id": 1, "message": {"text": "hi"}}) == 400  # no chat
    sticker = fixture("telegram_sticker.json")
    sticker["message"]["chat"]["id"] = 5012340005
    assert post_telegram(platform_server, sticker) == 200
    time.sleep(1)
    assert fake.matching(telegram_sent(5012340005)) == []


# --- Slack ----------------------------------------------------------------------------------


def test_slack_url_verification_echoes_the_challenge(platform_server: int) -> None:
    body = json.dumps(fixture("slack_url_verification.json")).encode()
    status, answer = http(platform_server, "/webhooks/slack/webhook", body, slack_headers(body, "application/json"))
    assert status == 200
    assert json.loads(answer) == {"challenge": fixture("slack_url_verification.json")["challenge"]}


def test_slack_direct_message_is_answered_with_chat_post_message(platform_server: int, fake: FakePlatforms) -> None:
    body = slack_event("what is cbt?", "U0SLACK001", "D0SLACK001")
    status, _ = http(platform_server, "/webhooks/slack/webhook", body, slack_headers(body, "application/json"))
    assert status == 200
    [sent] = fake.wait_for(slack_sent("D0SLACK001"))
    assert "Cognitive behavioral therapy" in sent["body"]["text"]
    assert sent["headers"]["Authorization"].startswith("Bearer xoxb-")
    buttons = sent["body"]["blocks"][1]["elements"]
    assert [b["value"] for b in buttons] == ["/faq/dbt", "/faq/homework", "/faq/therapy_types_overview"]


def test_slack_button_press_is_answered(platform_server: int, fake: FakePlatforms) -> None:
    payload = copy.deepcopy(fixture("slack_block_actions.json"))
    payload["user"]["id"] = "U0SLACK002"
    payload["channel"]["id"] = "D0SLACK002"
    payload["actions"][0].update(value="/faq/dbt", text={"type": "plain_text", "text": "DBT", "emoji": True})
    body = urlencode({"payload": json.dumps(payload)}).encode()
    status, _ = http(platform_server, "/webhooks/slack/webhook", body, slack_headers(body, "application/x-www-form-urlencoded"))
    assert status == 200
    [sent] = fake.wait_for(slack_sent("D0SLACK002"))
    assert "Dialectical behavior therapy" in sent["body"]["text"]


def test_slack_crisis_number_comes_first(platform_server: int, fake: FakePlatforms) -> None:
    body = slack_event("i want to kill myself", "U0SLACK003", "D0SLACK003")
    assert http(platform_server, "/webhooks/slack/webhook", body, slack_headers(body, "application/json"))[0] == 200
    first = fake.wait_for(slack_sent("D0SLACK003"))[0]
    assert "988" in first["body"]["text"]


def test_slack_refuses_forged_stale_and_unsigned_requests(platform_server: int, fake: FakePlatforms) -> None:
    body = slack_event("what is cbt?", "U0SLACK004", "D0SLACK004")
    forged = slack_headers(body, "application/json", secret="not-the-signing-secret")
    stale = slack_headers(body, "application/json", at=int(time.time()) - 3600)
    assert http(platform_server, "/webhooks/slack/webhook", body, forged)[0] == 403
    assert http(platform_server, "/webhooks/slack/webhook", body, stale)[0] == 403
    assert http(platform_server, "/webhooks/slack/webhook", body, {"Content-Type": "application/json"})[0] == 401
    time.sleep(1)
    assert fake.matching(slack_sent("D0SLACK004")) == []


def test_slack_signed_but_malformed_bodies_are_400(platform_server: int) -> None:
    for body, content_type in (
        (b"{not json", "application/json"),
        (b'{"type": "event_callback", "event": "nope"}', "application/json"),
        (b"payload=%7Bbroken", "application/x-www-form-urlencoded"),
        (urlencode({"payload": json.dumps({"type": "block_actions"})}).encode(), "application/x-www-form-urlencoded"),
    ):
        assert http(platform_server, "/webhooks/slack/webhook", body, slack_headers(body, content_type))[0] == 400, body


# --- Facebook Messenger ------------------------------------------------------------------------


def test_facebook_subscription_check(platform_server: int) -> None:
    ok = f"/webhooks/facebook/webhook?hub.mode=subscribe&hub.verify_token={FACEBOOK_VERIFY}&hub.challenge=1158201444"
    assert http(platform_server, ok, method="GET") == (200, b"1158201444")
    wrong = "/webhooks/facebook/webhook?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444"
    assert http(platform_server, wrong, method="GET")[0] == 403


def test_facebook_message_is_answered_through_the_send_api(platform_server: int, fake: FakePlatforms) -> None:
    sender = "6512345678900001"
    body = facebook_message("what is cbt?", sender)
    assert http(platform_server, "/webhooks/facebook/webhook", body, facebook_headers(body)) == (200, b"EVENT_RECEIVED")
    [sent] = fake.wait_for(facebook_sent(sender))
    assert sent["path"] == "/graph/v21.0/me/messages"
    assert sent["query"]["access_token"] == FACEBOOK_TOKEN
    expected_proof = hmac.new(FACEBOOK_SECRET.encode(), FACEBOOK_TOKEN.encode(), hashlib.sha256).hexdigest()
    assert sent["query"]["appsecret_proof"] == expected_proof
    message = sent["body"]["message"]
    assert "Cognitive behavioral therapy" in message["text"]
    assert [q["payload"] for q in message["quick_replies"]] == ["/faq/dbt", "/faq/homework", "/faq/therapy_types_overview"]


def test_facebook_quick_reply_is_answered(platform_server: int, fake: FakePlatforms) -> None:
    sender = "6512345678900002"
    delivery = copy.deepcopy(fixture("facebook_quick_reply.json"))
    event = delivery["entry"][0]["messaging"][0]
    event["sender"]["id"] = sender
    event["message"].update(text="DBT", quick_reply={"payload": "/faq/dbt"}, mid=f"m_{delivery_id()}")
    body = json.dumps(delivery).encode()
    assert http(platform_server, "/webhooks/facebook/webhook", body, facebook_headers(body))[0] == 200
    [sent] = fake.wait_for(facebook_sent(sender))
    assert "Dialectical behavior therapy" in sent["body"]["message"]["text"]


def test_facebook_crisis_number_comes_first(platform_server: int, fake: FakePlatforms) -> None:
    sender = "6512345678900003"
    body = facebook_message("i want to kill myself", sender)
    assert http(platform_server, "/webhooks/facebook/webhook", body, facebook_headers(body))[0] == 200
    first = fake.wait_for(facebook_sent(sender))[0]
    assert "988" in first["body"]["message"]["text"]


def test_facebook_refuses_forged_signatures_and_malformed_bodies(platform_server: int, fake: FakePlatforms) -> None:
    sender = "6512345678900004"
    body = facebook_message("what is cbt?", sender)
    assert http(platform_server, "/webhooks/facebook/webhook", body, facebook_headers(body, secret="guess"))[0] == 403
    sha1_wrong = {"Content-Type": "application/json", "X-Hub-Signature": "sha1=" + "0" * 40}
    assert http(platform_server, "/webhooks/facebook/webhook", body, sha1_wrong)[0] == 403
    weird = {"Content-Type": "application/json", "X-Hub-Signature": "new=abc"}  # crashed the stock check
    assert http(platform_server, "/webhooks/facebook/webhook", body, weird)[0] == 403
    assert http(platform_server, "/webhooks/facebook/webhook", body, {"Content-Type": "application/json"})[0] == 401
    for bad in (b"[]", b"{not json", b'{"object": "page", "entry": [{"messaging": [{"message": {"text": "x"}}]}]}'):
        assert http(platform_server, "/webhooks/facebook/webhook", bad, facebook_headers(bad))[0] == 400, bad
    receipt = json.dumps(fixture("facebook_read_receipt.json")).encode()
    assert http(platform_server, "/webhooks/facebook/webhook", receipt, facebook_headers(receipt))[0] == 200
    time.sleep(1)
    assert fake.matching(facebook_sent(sender)) == []


# --- Twilio SMS ---------------------------------------------------------------------------------


def test_sms_answer_has_numbered_options_and_a_number_picks_one(platform_server: int, fake: FakePlatforms) -> None:
    number = "+12125550101"
    assert post_twilio(platform_server, twilio_form("what is dbt?", number)) == 200
    [sms] = fake.wait_for(sms_to(number))
    assert sms["body"]["From"] == TWILIO_NUMBER
    assert sms["headers"]["Authorization"].startswith("Basic ")
    text = sms["body"]["Body"]
    assert text.startswith("Dialectical behavior therapy (DBT)")
    assert text.endswith("\n\nReply 1 for CBT, 2 for ACT or 3 for Individual, couple, group.")
    assert len(text) <= 1600

    assert post_twilio(platform_server, twilio_form("2", number)) == 200
    replies = fake.wait_for(sms_to(number), count=2)
    assert replies[1]["body"]["Body"].startswith("Acceptance and commitment therapy (ACT)")


def test_sms_crisis_reply_comes_first_whole_and_for_the_texters_country(platform_server: int, fake: FakePlatforms) -> None:
    us, gb = "+12125550102", "+447700900103"
    assert post_twilio(platform_server, twilio_form("i want to kill myself", us)) == 200
    first = fake.wait_for(sms_to(us))[0]["body"]["Body"]
    assert "988" in first and "911" in first
    assert "Reply 1" not in first  # no buttons on a crisis SMS
    assert post_twilio(platform_server, twilio_form("i want to kill myself", gb, FromCountry="GB", FromState="", FromCity="")) == 200
    first = fake.wait_for(sms_to(gb))[0]["body"]["Body"]
    assert "116 123" in first and "999" in first
    # No FromCountry: the From number's calling code (+44) decides.
    gb2 = "+447700900105"
    assert post_twilio(platform_server, twilio_form("i want to kill myself", gb2, FromCountry="", FromState="", FromCity="")) == 200
    first = fake.wait_for(sms_to(gb2))[0]["body"]["Body"]
    assert first.startswith("Call 116 123") and "999" in first and "988" not in first


def test_sms_refuses_forged_and_unsigned_requests_and_sends_nothing(platform_server: int, fake: FakePlatforms) -> None:
    number = "+12125550104"
    assert post_twilio(platform_server, twilio_form("what is cbt?", number), signature="bm90IGEgc2lnbmF0dXJl") == 403
    assert post_twilio(platform_server, twilio_form("what is cbt?", number), signature=None) == 401
    # Signed for another number, then changed: the signature covers every field.
    from bot.channels.verify import twilio_signature

    signed = twilio_signature(TWILIO_TOKEN, TWILIO_URL, {k: [v] for k, v in twilio_form("hi", "+12125550199")})
    assert post_twilio(platform_server, twilio_form("what is cbt?", number), signature=signed) == 403
    time.sleep(1)
    assert fake.matching(sms_to(number)) == []


def test_sms_signed_but_malformed_request_is_400(platform_server: int) -> None:
    pairs = [(k, v) for k, v in twilio_form("hello", "+12125550105") if k != "From"]
    assert post_twilio(platform_server, pairs) == 400

