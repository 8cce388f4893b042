"""The REST channel on a real `rasa run`: attribution, tenant tokens, bad input, long messages and erasure.

The server is the session's ``platform_server`` (tests/e2e/conftest.py): one
`rasa run` with every platform's variables set to test values and each
``*_API_URL`` pointing at a fake platform (tests/support/platforms.py) that
records every call.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import free_port
from tests.support.platforms import (
    ERASE_TOKEN,
    TENANT_SECRET,
    FakePlatforms,
    http,
    post_telegram,
    rest,
    telegram_sent,
    telegram_update,
)

# --- REST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"message": "what is cbt?"},
        {"sender": "", "message": "what is cbt?"},
        {"sender": "   ", "message": "what is cbt?"},
        {"sender": 12345, "message": "what is cbt?"},
        {"sender": "rest-e2e-1"},
        {"sender": "rest-e2e-1", "message": ["what", "is", "cbt"]},
        {"sender": "rest-e2e-1", "message": "hi", "metadata": "GB"},
        b"sender=me&message=hi",
        b"",
        [{"sender": "rest-e2e-1", "message": "hi"}],
    ],
)
def test_rest_refuses_messages_it_cannot_attribute_or_read(platform_server: int, payload: Any) -> None:
    status, answer = rest(platform_server, payload)
    assert status == 400
    assert isinstance(answer["error"], str) and answer["error"]


def test_rest_answers_and_keeps_region_metadata(platform_server: int) -> None:
    status, messages = rest(platform_server, {"sender": "rest-e2e-2", "message": "i want to kill myself", "metadata": {"region": "GB"}})
    assert status == 200
    text = "\n".join(m.get("text") or "" for m in messages)
    assert "116 123" in text  # the GB helplines, from metadata


def test_rest_with_a_bad_tenant_token_is_401(platform_server: int) -> None:
    for header in ("Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer "):
        status, answer = rest(platform_server, {"sender": "rest-e2e-3", "message": "hi"}, {"Authorization": header})
        assert status == 401 and answer["error"], header


def test_rest_tenant_comes_only_from_a_verified_token(platform_server: int, platform_tenant: str) -> None:
    from bot.tenants.tokens import issue_token

    question = "how much does therapy cost?"
    claimed = {"sender": "rest-e2e-4", "message": question, "metadata": {"tenant": platform_tenant}}
    status, messages = rest(platform_server, claimed)
    assert status == 200 and messages
    assert "Platform Test Co" not in json.dumps(messages)  # a client cannot pick a tenant

    token = issue_token(platform_tenant, ttl_seconds=300, secret=TENANT_SECRET)
    status, messages = rest(platform_server, {"sender": "rest-e2e-5", "message": question}, {"Authorization": f"Bearer {token}"})
    assert status == 200
    assert "Platform Test Co" in json.dumps(messages)

    expired = issue_token(platform_tenant, ttl_seconds=60, secret=TENANT_SECRET, now=time.time() - 3600)
    status, answer = rest(platform_server, {"sender": "rest-e2e-6", "message": question}, {"Authorization": f"Bearer {expired}"})
    assert status == 401 and "expired" in answer["error"]


# --- bad input, long messages and erasure over the REST channel ------------------------------


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"\xff\xfe\x00garbage", "application/json"),
        (b'{"sender": "x", "message": "hi"', "application/json"),  # truncated JSON
        (b'{"sender": "x", "message": "hi"}', "text/plain"),
        (b"<xml>hi</xml>", "application/xml"),
        (b'{"sender": "x", "message": "hi", "metadata": {"tenant": {"$ne": null}}}', "application/json"),
        (json.dumps({"sender": "x" * 300, "message": "hi"}).encode(), "application/json"),
    ],
)
def test_rest_malformed_requests_get_a_4xx_or_an_answer_never_a_500(platform_server: int, body: bytes, content_type: str) -> None:
    status, answer = http(platform_server, "/webhooks/rest/webhook", body, {"Content-Type": content_type})
    assert status < 500, answer[:300]


def test_rest_unicode_emoji_and_control_characters_are_answered(platform_server: int) -> None:
    for text in ("🙂🙂🙂 what is cbt? 🧠", "what\x00is\x07cbt\u200b?", "\u202ewhat is dbt\u202c", "ｗｈａｔ ｉｓ ｃｂｔ", "\n\n\t"):
        status, messages = rest(platform_server, {"sender": "rest-e2e-fuzz", "message": text})
        assert status == 200 and isinstance(messages, list), text


def test_rest_an_over_long_message_gets_a_friendly_reply_and_holds_up_nobody(platform_server: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    finished: dict[str, float] = {}

    def send(sender: str, text: str) -> tuple[int, Any]:
        answer = rest(platform_server, {"sender": sender, "message": text})
        finished[sender] = time.monotonic()
        return answer

    with ThreadPoolExecutor(max_workers=1) as pool:
        # ~100 KB of sentences that differ (one sentence said over and over is read once): seconds of crisis reading.
        paste = " ".join(f"Item {i}: notes on therapy formats, fees and the first session." for i in range(1600))
        long = pool.submit(send, "rest-e2e-long", paste)
        time.sleep(0.5)  # the long read is under way
        status, messages = send("rest-e2e-beside-long", "what is cbt?")
        assert status == 200 and messages
        status, messages = long.result()
    assert status == 200 and "shorter message" in messages[0]["text"]
    # The long message is read on a thread of its own: another conversation was answered meanwhile.
    assert finished["rest-e2e-beside-long"] < finished["rest-e2e-long"]


def test_rest_an_over_long_message_with_a_crisis_gets_the_crisis_reply(platform_server: int) -> None:
    story = "It has been a long and heavy year at work. " * 100 + "I want to kill myself. " + "Sorry for the long text. " * 40
    status, messages = rest(platform_server, {"sender": "rest-e2e-long-crisis", "message": story})
    assert status == 200 and "988" in "\n".join(m.get("text") or "" for m in messages)


def test_rest_a_body_far_beyond_any_message_is_413(platform_server: int) -> None:
    status, _ = http(platform_server, "/webhooks/rest/webhook", json.dumps({"sender": "x", "message": "a" * 400_000}).encode(),
                     {"Content-Type": "application/json"})
    assert status == 413


def test_rest_erase_deletes_the_stored_conversation(platform_server: int, e2e_dir: Path) -> None:
    import sqlite3

    sender = f"rest-e2e-erase-{free_port()}"
    assert rest(platform_server, {"sender": sender, "message": "what is cbt?"})[0] == 200
    db = e2e_dir / "tracker_platforms.db"

    def stored() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]

    assert stored() > 0
    auth = {"Authorization": f"Bearer {ERASE_TOKEN}"}
    status, body = http(platform_server, f"/webhooks/rest/conversations/{sender}", method="DELETE", headers=auth)
    assert status == 204 and body == b""  # no counts: the same answer as for an id never seen
    assert stored() == 0
    assert http(platform_server, "/webhooks/rest/conversations/%20", method="DELETE", headers=auth)[0] == 400


def test_rest_random_bodies_never_cause_a_server_error(platform_server: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["sender", "message", "metadata", "x"]), inner, max_size=4),
        max_leaves=10,
    )

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(values)
    def check(payload: Any) -> None:
        status, _ = http(platform_server, "/webhooks/rest/webhook", json.dumps(payload).encode(), {"Content-Type": "application/json"})
        assert status in (200, 400, 401, 413, 429), (status, payload)

    check()


def test_telegram_an_over_long_message_is_answered_kindly_and_a_long_crisis_is_not_missed(platform_server: int, fake: FakePlatforms) -> None:
    chat = 5012340099
    assert post_telegram(platform_server, telegram_update("tell me about therapy please. " * 130, chat)) == 200  # ~3,900 chars
    [sent] = fake.wait_for(telegram_sent(chat))
    assert "shorter message" in sent["body"]["text"]
    chat = 5012340098
    story = "Work has been a lot lately and I barely sleep. " * 60 + "I want to kill myself."
    assert post_telegram(platform_server, telegram_update(story, chat)) == 200
    first = fake.wait_for(telegram_sent(chat))[0]
    assert "988" in first["body"]["text"]
