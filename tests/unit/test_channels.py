"""The messaging channels' pure parts: signature checks, reading the platforms' bodies, the REST channel's
input rules and over-long messages. SMS shaping: test_sms_shaping.py; switched-off platforms: test_channel_config.py."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from pathlib import Path

import pytest

from bot.channels import verify
from bot.core import wiring

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "platforms"

# --- signatures --------------------------------------------------------------------------------


def test_telegram_secret_token() -> None:
    assert verify.telegram_secret_ok("s3cret_token", "s3cret_token")
    assert not verify.telegram_secret_ok("s3cret_token", "s3cret_tokeN")
    assert not verify.telegram_secret_ok("s3cret_token", None)
    assert not verify.telegram_secret_ok("", "")


def test_meta_hub_signatures() -> None:
    body, secret = b'{"object":"page","entry":[]}', "app-secret"
    sha256 = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    sha1 = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    assert verify.hub_signature_ok(secret, body, sha256, None)
    assert not verify.hub_signature_ok(secret, body, None, sha1)  # legacy SHA-1 alone: refused
    assert verify.hub_signature_ok(secret, body, sha256, "sha1=garbage")  # the SHA-256 one decides
    assert not verify.hub_signature_ok(secret, body, "sha256=" + "0" * 64, sha1)
    assert not verify.hub_signature_ok(secret, body + b" ", sha256, None)
    assert not verify.hub_signature_ok("other", body, sha256, None)
    for forged in ("md5=" + hashlib.md5(body).hexdigest(), "new=abc", "sha1", ""):
        assert not verify.hub_signature_ok(secret, body, None, forged)
    assert not verify.hub_signature_ok(secret, body, None, None)
    assert not verify.hub_signature_ok("", body, sha256, None)


def test_slack_signatures() -> None:
    secret, body, now = "8f742231b10e8888abcd99yyyzzz85a5", b'{"type":"event_callback"}', 1764237600.0

    def sign(at: str, key: str = secret) -> str:
        return "v0=" + hmac.new(key.encode(), f"v0:{at}:".encode() + body, hashlib.sha256).hexdigest()

    at = str(int(now))
    assert verify.slack_signature_ok(secret, body, at, sign(at), now=now)
    assert verify.slack_signature_ok(secret, body, at, sign(at), now=now + 299)
    assert not verify.slack_signature_ok(secret, body, at, sign(at), now=now + 301)  # replayed
    assert not verify.slack_signature_ok(secret, body, at, sign(at, "wrong"), now=now)
    assert not verify.slack_signature_ok(secret, body + b"x", at, sign(at), now=now)
    assert not verify.slack_signature_ok(secret, body, "soon", sign("soon"), now=now)
    assert not verify.slack_signature_ok(secret, body, None, sign(at), now=now)
    assert not verify.slack_signature_ok("", body, at, sign(at, ""), now=now)  # not configured
    assert not verify.slack_signature_ok(secret, b"\xff" + body, at, sign(at), now=now)  # not UTF-8
    assert not verify.slack_signature_ok(secret, body, at, sign(at)[:-1] + "é", now=now)  # not ASCII
    assert not verify.slack_signature_ok(secret, body, at, sign(at))  # by the real clock `at` is long past


def test_slack_signature_matches_slacks_documented_example() -> None:
    # docs.slack.dev/authentication/verifying-requests-from-slack: the worked example.
    secret, at = "8f742231b10e8888abcd99yyyzzz85a5", "1531420618"
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert verify.slack_signature_ok(secret, body, at, signature, now=float(at))
    assert not verify.slack_signature_ok(secret, body.replace(b"foobar", b"foobaz"), at, signature, now=float(at))


def test_twilio_signature_matches_twilios_documented_example() -> None:
    params = {"CallSid": ["CA1234567890ABCDE"], "Caller": ["+14158675309"], "Digits": ["1234"],
              "From": ["+14158675309"], "To": ["+18005551212"]}
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert verify.twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert verify.twilio_signature_ok("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not verify.twilio_signature_ok("12345", url.replace("foo=1", "foo=2"), params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not verify.twilio_signature_ok("54321", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not verify.twilio_signature_ok("12345", url, params, None)


def test_twilio_signs_blank_fields_so_they_are_kept() -> None:
    body = (FIXTURES / "twilio_sms.form").read_bytes()
    fields = verify.form_fields(body)
    assert fields is not None and fields["ToCity"] == [""] and fields["Body"] == ["what is cbt?"]
    url = "https://bot.example.org/webhooks/twilio/webhook"
    signature = verify.twilio_signature("token", url, fields)
    assert verify.twilio_signature_ok("token", url, fields, signature)
    without_blanks = {k: v for k, v in fields.items() if v != [""]}  # what Sanic's request.form gives
    assert not verify.twilio_signature_ok("token", url, without_blanks, signature)
    assert verify.form_fields(b"\xff\xfe") is None


def test_json_object_accepts_only_objects() -> None:
    assert verify.json_object(b'{"a": 1}') == {"a": 1}
    for body in (b"[1]", b"3", b"{oops", b"", b"\xff"):
        assert verify.json_object(body) is None


# --- reading the platforms' bodies ------------------------------------------------------------------


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_telegram_updates_are_read_strictly() -> None:
    from bot.channels.telegram import MalformedUpdate, clean_text, read_update

    assert read_update(fixture("telegram_message.json")) == ("5012345678", "what is cbt?", None)
    assert read_update(fixture("telegram_callback_query.json")) == ("5012345678", "/faq/dbt", "2153095063493765012")
    assert read_update(fixture("telegram_sticker.json")) is None
    for bad in ({"message": {}}, {"update_id": "1"}, {"update_id": 1, "message": "hi"},
                {"update_id": 1, "message": {"chat": {"id": "5"}, "text": "hi"}}, {"update_id": 1, "callback_query": []}):
        with pytest.raises(MalformedUpdate):
            read_update(bad)
    assert clean_text("@TherapyFaqBot what is cbt?", "TherapyFaqBot") == "what is cbt?"
    assert clean_text("/start", "") == "/greet"
    assert clean_text("/start@TherapyFaqBot", "TherapyFaqBot") == "/greet"


def test_messenger_deliveries_are_read_strictly() -> None:
    from bot.channels.facebook import MalformedDelivery, messaging_events, quick_replies

    assert messaging_events(fixture("facebook_message.json")) == [("6512345678901234", "what is cbt?")]
    assert messaging_events(fixture("facebook_quick_reply.json")) == [("6512345678901234", "/faq/homework")]
    assert messaging_events(fixture("facebook_read_receipt.json")) == []
    batch = fixture("facebook_message.json")
    batch["entry"].append(fixture("facebook_quick_reply.json")["entry"][0])
    assert len(messaging_events(batch)) == 2  # the stock connector answered only the first
    echo = fixture("facebook_message.json")
    echo["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    assert messaging_events(echo) == []
    for bad in ({"object": "instagram", "entry": []}, {"object": "page"}, {"object": "page", "entry": ["x"]},
                {"object": "page", "entry": [{"messaging": [{"message": {"text": "x"}}]}]}):
        with pytest.raises(MalformedDelivery):
            messaging_events(bad)
    [reply] = quick_replies([{"title": "Finding a therapist near you", "payload": "/faq/find_therapist"}])
    assert len(reply["title"]) == 20 and reply["payload"] == "/faq/find_therapist"


def test_slack_markdown() -> None:
    from bot.channels.slack import slack_markdown

    assert slack_markdown("**CBT** and [the NHS](https://nhs.uk)") == "*CBT* and <https://nhs.uk|the NHS>"


def test_sms_sender_pseudonym_is_stable_and_keyed() -> None:
    from bot.channels.twilio import sender_pseudonym

    a = sender_pseudonym("token-1", "+12125550123")
    assert a == sender_pseudonym("token-1", " +12125550123 ")
    assert a != sender_pseudonym("token-2", "+12125550123")
    assert re.fullmatch(r"sms-[0-9a-f]{32}", a) and "2125550123" not in a


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"From": ["+447700900123"], "FromCountry": ["GB"]}, {"region": "GB"}),
        ({"From": ["+447700900123"], "FromCountry": [""]}, {"region": "GB"}),  # the calling code decides
        ({"From": ["+353851234567"]}, {"region": "IE"}),
        ({"From": ["+61412345678"]}, {"region": "AU"}),
        ({"From": ["+12125550123"], "FromCountry": ["CA"]}, {"region": "CA"}),
        ({"From": ["+12125550123"]}, {}),  # +1 is the US, Canada and more: DEFAULT_REGION decides
        ({"From": ["whatsapp:+4930123"]}, {}),
    ],
)
def test_twilio_region_comes_from_the_senders_country(fields, expected) -> None:
    from bot.channels.twilio import TwilioInput

    assert TwilioInput.metadata_from(fields) == expected


# --- REST -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"message": "hi"}', b'{"sender": "", "message": "hi"}', b'{"sender": 7, "message": "hi"}',
     b'{"sender": "a"}', b'{"sender": "a", "message": 3}', b'{"sender": "a", "message": "hi", "metadata": []}',
     json.dumps({"sender": "a" * 256, "message": "hi"}).encode()],
)
def test_rest_refuses_unattributable_or_unreadable_messages(body: bytes) -> None:
    from bot.channels.rest import BadRequest, read_message

    with pytest.raises(BadRequest):
        read_message(body)


def test_rest_reads_a_good_message() -> None:
    from bot.channels.rest import read_message

    body = b'{"sender": "abc", "message": "what is cbt?", "metadata": {"region": "GB"}}'
    assert read_message(body) == ("abc", "what is cbt?", {"region": "GB"})
    assert read_message(b'{"sender": "abc", "message": ""}') == ("abc", "", {})


def test_bearer_header() -> None:
    from bot.channels.rest import Unauthorized, bearer_token

    assert bearer_token(None) is None
    assert bearer_token("Bearer abc.def.ghi") == "abc.def.ghi"
    assert bearer_token("bearer  abc ") == "abc"
    for bad in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer  ", "abc"):
        with pytest.raises(Unauthorized):
            bearer_token(bad)


@pytest.fixture()
def tenant_secret(use_db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from bot.storage.session import session_factory
    from bot.tenants import directory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    secret = "unit-test-tenant-secret-0123456789abcdef"
    monkeypatch.setenv("TENANT_JWT_SECRET", secret)
    wiring.reload_settings()
    with session_factory(use_db).begin() as s:
        TenantRepository(s).save(make_tenant("acme-unit", "Acme Unit", "+1 800 555 0100"))
    directory.clear_cache()
    yield secret
    directory.clear_cache()
    wiring.reload_settings()


def test_the_tenant_comes_only_from_a_verified_token(tenant_secret: str) -> None:
    from bot.channels.rest import Unauthorized, with_tenant
    from bot.tenants.tokens import issue_token

    claimed = {"region": "GB", "tenant": "acme-unit"}
    assert with_tenant(claimed, None) == {"region": "GB"}
    token = issue_token("acme-unit", ttl_seconds=300)
    assert with_tenant({"tenant": "someone-else", "locale": "en-GB"}, token) == {"locale": "en-GB", "tenant": "acme-unit"}
    expired = issue_token("acme-unit", ttl_seconds=60, now=time.time() - 3600)
    with pytest.raises(Unauthorized, match="expired"):
        with_tenant({}, expired)
    with pytest.raises(Unauthorized, match="not registered"):
        with_tenant({}, issue_token("nobody-here", ttl_seconds=300))
    with pytest.raises(Unauthorized):
        with_tenant({}, "not-a-token")


# --- over-long messages (bot/channels/limits.py) ---------------------------------------

async def test_a_long_message_gets_a_friendly_reply_instead_of_processing() -> None:
    from bot.channels.limits import screen_off_loop

    text, reply = await screen_off_loop("Tell me about therapy please. " * 200, 2000)
    assert text is None and "2,000 characters" in reply and "Need help now?" in reply
    assert await screen_off_loop("what is cbt?", 2000) == ("what is cbt?", None)


async def test_a_long_message_with_a_crisis_in_it_is_processed_as_that_crisis() -> None:
    from bot.channels.limits import screen_off_loop

    story = "My week was long and work was stressful again. " * 120 + "Honestly I want to kill myself. " + "Anyway. " * 50
    text, reply = await screen_off_loop(story, 2000)
    assert reply is None and "kill myself" in text and len(text) <= 2000


def test_pieces_cover_the_text_within_the_limit() -> None:
    from bot.channels.limits import pieces

    text = ("a" * 2500) + ". " + "short sentence. " * 300
    parts = pieces(text, 1000)
    assert all(len(p) <= 1000 for p in parts) and sum(len(p) for p in parts) >= len(text) - 400
