"""The messaging channels' pure parts: SMS shaping, numbered options, signature checks,
reading the platforms' bodies, the REST channel's input rules, and switched-off platforms."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from pathlib import Path

import pytest

from bot.channels import sms, verify

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "platforms"

CRISIS_GB = (
    "I'm really sorry you're feeling this way, and I'm glad you told me. You don't have to carry this alone. "
    "You can talk to someone right now, for free:\n"
    "- Samaritans — call 116 123 (24/7)\n"
    "- Shout — text SHOUT to 85258 (24/7)\n"
    "If you might act on these thoughts or you're in danger now, call 999."
)
CBT_BUTTONS = [
    {"title": "DBT", "payload": "/faq/dbt"},
    {"title": "Homework", "payload": "/faq/homework"},
    {"title": "Types of therapy", "payload": "/faq/therapy_types_overview"},
]


def words(text: str) -> list[str]:
    return text.split()


# --- splitting --------------------------------------------------------------------------------


def test_short_text_is_one_piece_and_empty_text_none() -> None:
    assert sms.split_text("  What is CBT?  ", 160) == ["What is CBT?"]
    assert sms.split_text(" \n ", 160) == []


def test_paragraphs_are_packed_into_as_few_pieces_as_fit() -> None:
    paragraphs = [f"Paragraph {i}. " + "word " * 30 for i in range(6)]  # ~165 characters each
    pieces = sms.split_text("\n\n".join(paragraphs), 400)
    assert all(len(p) <= 400 for p in pieces)
    assert len(pieces) == 3  # two paragraphs fit in 400, three do not
    assert all(p.startswith("Paragraph") for p in pieces)  # cut only between paragraphs
    assert words(" ".join(pieces)) == words(" ".join(paragraphs))


def test_a_helpline_line_is_never_cut_when_the_lines_fit() -> None:
    pieces = sms.split_text(CRISIS_GB, 160)
    assert all(len(p) <= 160 for p in pieces)
    for line in CRISIS_GB.splitlines():  # each line whole, in one piece
        assert any(line in p.splitlines() for p in pieces), line
    assert words(" ".join(pieces)) == words(CRISIS_GB)


def test_a_long_paragraph_is_cut_between_sentences_then_words() -> None:
    text = " ".join(f"Sentence number {i} says something useful about therapy." for i in range(40))
    pieces = sms.split_text(text, 300)
    assert all(len(p) <= 300 for p in pieces)
    assert all(p.endswith(".") for p in pieces)
    assert words(" ".join(pieces)) == words(text)
    giant = "x" * 250
    assert sms.split_text(f"see {giant} now", 100) == ["see", "x" * 100, "x" * 100, "x" * 50 + " now"]


# --- options -----------------------------------------------------------------------------------


def test_options_are_numbered_in_one_line() -> None:
    assert sms.options_line(CBT_BUTTONS) == "Reply 1 for DBT, 2 for Homework or 3 for Types of therapy."
    assert sms.options_line(CBT_BUTTONS[:1]) == "Reply 1 for DBT."
    assert sms.options_line([]) == ""


def test_turn_options_keep_order_drop_repeats_and_junk() -> None:
    messages = [
        {"text": "a", "buttons": CBT_BUTTONS[:2]},
        {"text": "b", "buttons": [CBT_BUTTONS[1], {"title": "", "payload": "/x"}, {"title": "No payload"}, "junk"]},
        {"text": "c", "quick_replies": [CBT_BUTTONS[2]]},
    ]
    assert [o["payload"] for o in sms.turn_options(messages)] == ["/faq/dbt", "/faq/homework", "/faq/therapy_types_overview"]
    many = [{"title": f"T{i}", "payload": f"/p{i}"} for i in range(12)]
    assert len(sms.turn_options([{"buttons": many}])) == sms.MAX_OPTIONS


@pytest.mark.parametrize(
    ("reply", "payload"),
    [("2", "/faq/homework"), (" 2. ", "/faq/homework"), ("#3", "/faq/therapy_types_overview"), ("option 1", "/faq/dbt"),
     ("4", None), ("0", None), ("2 please", None), ("two", None), ("", None), ("12", None)],
)
def test_a_number_picks_an_option(reply: str, payload: str | None) -> None:
    assert sms.pick_option(reply, CBT_BUTTONS) == payload


def test_only_number_replies_trigger_an_options_look_up() -> None:
    assert all(sms.is_option_reply(r) for r in ("2", "#2", "option 2", " 12 ", "No. 3"))
    assert not any(sms.is_option_reply(r) for r in ("i am 2 sad", "2 please", "988", "", None))


def test_options_are_read_back_from_the_last_bot_turn() -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    events = [
        UserUttered("what is dbt"),
        BotUttered("DBT is ...", {"buttons": [{"title": "Old", "payload": "/faq/old"}]}),
        UserUttered("what is cbt"),
        ActionExecuted("utter_faq"),
        BotUttered("CBT is ...", {"buttons": CBT_BUTTONS}),
        ActionExecuted("action_listen"),
    ]
    assert sms.last_turn_options(events) == CBT_BUTTONS
    assert sms.last_turn_options([*events, UserUttered("thanks")]) == []
    assert sms.pick_option("1", sms.last_turn_options(events)) == "/faq/dbt"


# --- composing a turn for SMS -------------------------------------------------------------------


def test_sms_turn_puts_the_crisis_reply_first_whole_and_options_last() -> None:
    faq = {"text": "**CBT** helps. See [the NHS page](https://www.nhs.uk/cbt).", "buttons": CBT_BUTTONS, "utter_action": "utter_faq/cbt"}
    crisis = {"text": CRISIS_GB, "buttons": [], "utter_action": "utter_crisis_suicide"}
    bodies = sms.sms_bodies([faq, crisis])
    assert len(bodies) == 2
    assert bodies[0] == sms.gsm_friendly(CRISIS_GB)
    assert "—" not in bodies[0] and "- Samaritans - call 116 123 (24/7)" in bodies[0]
    assert bodies[1] == (
        "CBT helps. See the NHS page (https://www.nhs.uk/cbt).\n\n"
        "Reply 1 for DBT, 2 for Homework or 3 for Types of therapy."
    )


def test_a_long_sms_turn_is_split_under_the_limit_with_options_at_the_end() -> None:
    long_answer = "\n\n".join("Therapy takes time and practice. " * 12 for _ in range(6))
    bodies = sms.sms_bodies([{"text": long_answer, "buttons": CBT_BUTTONS}], limit=sms.SMS_MAX_CHARS)
    assert len(bodies) >= 2 and all(len(b) <= sms.SMS_MAX_CHARS for b in bodies)
    assert bodies[-1].endswith("Reply 1 for DBT, 2 for Homework or 3 for Types of therapy.")
    assert sum("Reply 1 for" in b for b in bodies) == 1


def test_plain_text_keeps_numbers_and_drops_markdown() -> None:
    assert sms.plain_text("call [988](tel:988) or **text** [741741](sms:741741)") == "call 988 or text 741741"
    assert sms.plain_text("[https://x.org](https://x.org)") == "https://x.org"


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
    from bot.core.settings import get_settings
    from bot.storage.session import session_factory
    from bot.tenants import directory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    secret = "unit-test-tenant-secret-0123456789abcdef"
    monkeypatch.setenv("TENANT_JWT_SECRET", secret)
    get_settings.cache_clear()
    with session_factory(use_db).begin() as s:
        TenantRepository(s).save(make_tenant("acme-unit", "Acme Unit", "+1 800 555 0100"))
    directory.clear_cache()
    yield secret
    directory.clear_cache()
    get_settings.cache_clear()


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


# --- platforms that are not configured ----------------------------------------------------------------


PLATFORM_VARIABLES = [
    "TELEGRAM_ACCESS_TOKEN", "TELEGRAM_VERIFY", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN", "SLACK_TOKEN",
    "SLACK_SIGNING_SECRET", "FACEBOOK_VERIFY", "FACEBOOK_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN", "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER", "TWILIO_WEBHOOK_URL",
]


def load_channels(monkeypatch: pytest.MonkeyPatch, **values: str) -> list:
    """The channels of credentials.yml, created the way `rasa run` creates them."""
    import rasa.shared.utils.common
    import rasa.shared.utils.io

    from bot.core.settings import DEFAULTS

    for name, default in DEFAULTS.items():
        monkeypatch.setenv(name, values.get(name, "" if name in PLATFORM_VARIABLES else default))
    credentials = rasa.shared.utils.io.read_config_file(str(ROOT / "credentials.yml"))
    return [
        rasa.shared.utils.common.class_from_module_path(path).from_credentials(config)
        for path, config in credentials.items()
        if path.split(".")[-1] in ("TelegramInput", "SlackInput", "FacebookInput", "TwilioInput", "RestInput")
    ]


def test_unset_platforms_are_off_and_answer_404(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import socket

    import aiohttp
    from rasa.core.channels.channel import register
    from sanic import Sanic

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("a switched-off platform must not call out")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    caplog.set_level("INFO")
    channels = load_channels(monkeypatch)
    assert sorted(c.name() for c in channels) == ["facebook", "rest", "slack", "telegram", "twilio"]
    assert all(isinstance(c, verify.DisabledChannel) for c in channels if c.name() != "rest")
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    monkeypatch.undo()

    async def handler(_: object) -> None:
        raise AssertionError("a switched-off platform must not reach the bot")

    async def probe() -> dict[str, tuple[int, dict]]:
        Sanic.test_mode = True
        app = Sanic(f"channels_off_{time.monotonic_ns()}")
        register(channels, app, route="/webhooks/")
        app.ctx.agent = None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        await server.startup()
        seen = {}
        try:
            async with aiohttp.ClientSession() as session:
                for name in ("telegram", "slack", "facebook", "twilio"):
                    async with session.post(f"http://127.0.0.1:{port}/webhooks/{name}/webhook", data=b"{}") as answer:
                        seen[name] = (answer.status, await answer.json())
                    # The health route of an unconnected platform says so too (it once raised a TypeError: a 500).
                    async with session.get(f"http://127.0.0.1:{port}/webhooks/{name}/") as answer:
                        seen[f"{name} health"] = (answer.status, await answer.json())
                        assert seen[f"{name} health"][1].get("status") == "disabled", name
        finally:
            server.close()
            await server.wait_closed()
        return seen

    for name, (status, body) in asyncio.run(probe()).items():
        assert status == 404, name
        assert "not connected on this server" in body["error"]


def test_half_configured_or_malformed_platforms_are_off_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    channels = load_channels(monkeypatch, TWILIO_ACCOUNT_SID="AC123", TELEGRAM_ACCESS_TOKEN="not a token",
                             TELEGRAM_WEBHOOK_URL="https://x.org/webhooks/telegram/webhook", TELEGRAM_SECRET_TOKEN="abc")
    assert all(isinstance(c, verify.DisabledChannel) for c in channels if c.name() != "rest")
    warnings = " ".join(r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert "TWILIO_AUTH_TOKEN, TWILIO_NUMBER, TWILIO_WEBHOOK_URL" in warnings
    assert "TELEGRAM_ACCESS_TOKEN must look like" in warnings
    assert "not a token" not in warnings  # a secret's value is never logged


def test_configured_platforms_are_on_without_calling_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("creating a channel must not call out; registering happens after start")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    channels = load_channels(
        monkeypatch,
        TELEGRAM_ACCESS_TOKEN="123:abc", TELEGRAM_WEBHOOK_URL="https://x.org/t", TELEGRAM_SECRET_TOKEN="s",
        SLACK_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", FACEBOOK_VERIFY="v", FACEBOOK_SECRET="s",
        FACEBOOK_PAGE_ACCESS_TOKEN="t", TWILIO_ACCOUNT_SID="AC1", TWILIO_AUTH_TOKEN="t", TWILIO_NUMBER="+15005550006",
        TWILIO_WEBHOOK_URL="https://x.org/w",
    )
    assert not any(isinstance(c, verify.DisabledChannel) for c in channels)
    assert {type(c).__module__ for c in channels} == {
        "bot.channels.telegram", "bot.channels.slack", "bot.channels.facebook", "bot.channels.twilio", "bot.channels.rest",
    }
    for channel in channels:
        channel.blueprint(lambda _: None)  # builds routes only


def test_a_telegram_outage_at_start_is_a_warning_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    import socket

    from bot.channels.telegram import TelegramInput

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = TelegramInput("123:abc", "", "https://x.org/webhooks/telegram/webhook", secret_token="s", api_url=f"http://127.0.0.1:{port}")

    async def start() -> None:
        try:
            await channel.register_webhook()
        finally:
            await channel.get_output_channel().close_session()

    asyncio.run(start())
    assert any("could not register the webhook" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)


# --- over-long messages (bot/channels/limits.py) ---------------------------------------

def test_a_long_message_gets_a_friendly_reply_instead_of_processing() -> None:
    from bot.channels.limits import screen

    text, reply = screen("Tell me about therapy please. " * 200, 2000)
    assert text is None and "2,000 characters" in reply and "Need help now?" in reply
    assert screen("what is cbt?", 2000) == ("what is cbt?", None)


def test_a_long_message_with_a_crisis_in_it_is_processed_as_that_crisis() -> None:
    from bot.channels.limits import screen

    story = "My week was long and work was stressful again. " * 120 + "Honestly I want to kill myself. " + "Anyway. " * 50
    text, reply = screen(story, 2000)
    assert reply is None and "kill myself" in text and len(text) <= 2000


def test_pieces_cover_the_text_within_the_limit() -> None:
    from bot.channels.limits import pieces

    text = ("a" * 2500) + ". " + "short sentence. " * 300
    parts = pieces(text, 1000)
    assert all(len(p) <= 1000 for p in parts) and sum(len(p) for p in parts) >= len(text) - 400
