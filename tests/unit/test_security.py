"""The pieces of issue 15 that need no server: limits, namespaces, protected entities, replays, supervision, settings, deploy files.

Their behaviour against the real servers is in tests/e2e/test_adversarial.py
and tests/e2e/test_supervision.py.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.guard import RateLimiter, allowed_metadata, json_depth, too_deep
from bot.channels.namespace import migrate, platform_key, reserved_sender
from bot.core.settings import ROOT, Settings, SettingsError

# --- limits before parsing -----------------------------------------------------------------


def test_nesting_is_counted_without_parsing_and_strings_do_not_count() -> None:
    assert json_depth(b'{"a": [1, {"b": []}]}') == 4
    assert json_depth(b'{"a": "[[[[{{{{ \\" [[[["}') == 1
    started = time.perf_counter()
    assert too_deep(b"[" * 200_000 + b"]" * 200_000)
    assert not too_deep(b'{"a": "' + b'\\"' * 150_000 + b'"}')  # escaped quotes: no backtracking blow-up
    assert not too_deep(b"[]" * 150_000) and not too_deep(b'"' * 300_000)
    assert time.perf_counter() - started < 5.0  # quadratic would take minutes; linear is ~0.1 s
    assert not too_deep(json.dumps({"sender": "x", "message": "[" * 10_000}))


def test_a_deep_body_is_a_bad_request_not_a_recursion_error() -> None:
    from bot.channels.rest import BadRequest, BodyTooLarge, read_message
    from bot.channels.verify import json_object

    deep = b'{"sender": "a", "message": "hi", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    with pytest.raises(BadRequest, match="levels deep"):
        read_message(deep)
    assert json_object(deep) is None
    with pytest.raises(BodyTooLarge):
        read_message(json.dumps({"sender": "a", "message": "x" * 300_000}).encode())


def test_only_region_and_locale_are_kept_from_metadata() -> None:
    from bot.channels.rest import BadRequest, read_message

    assert allowed_metadata(
        {"region": "GB", "locale": "en-GB", "tenant": "acme", "region_fixed": True, "email": "a@b.c"}
    ) == {"region": "GB", "locale": "en-GB"}  # tenant and region_fixed come only from a verified token
    assert allowed_metadata({"region": "X" * 50, "locale": 3}) == {}
    body = json.dumps({"sender": "a", "message": "hi", "metadata": {"region": "IE", "x": {"y": [1]}}}).encode()
    assert read_message(body)[2] == {"region": "IE"}
    with pytest.raises(BadRequest, match="metadata"):
        read_message(json.dumps({"sender": "a", "message": "hi", "metadata": {"x": "y" * 3000}}).encode())


def test_a_token_bucket_allows_bursts_then_the_rate() -> None:
    limiter = RateLimiter(rate=2.0, burst=3.0)
    assert [limiter.allow("a", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b", now=0.0)  # keys are separate
    assert not limiter.allow("a", now=0.2) and limiter.allow("a", now=0.6)
    small = RateLimiter(rate=1.0, burst=1.0, max_keys=2)
    for key in "xyz":
        small.allow(key, now=0.0)
    assert len(small._buckets) == 2


def test_a_busy_loop_sheds_others_but_admits_a_crisis_and_rates_spare_it_too() -> None:
    from bot.channels.shed import Admission, busy_text

    async def scenario() -> None:
        gate = Admission(max_in_flight=100, max_wait_seconds=0.1)
        assert gate.refusal("how long does therapy take?", "s1", "203.0.113.9") is None
        await asyncio.sleep(0.05)
        time.sleep(0.3)  # the loop works without a break, as under overload
        busy = gate.refusal("how long does therapy take?", "s2", "203.0.113.9")
        assert busy is not None and (busy.status, busy.retry_after) == (429, 2)  # a 4xx: overload is not a failure
        assert gate.refusal("i want to kill myself", "s3", "203.0.113.9") is None  # the crisis lane
        await asyncio.sleep(0.1)
        assert gate.refusal("how long does therapy take?", "s4", "203.0.113.9") is None  # the loop breathed again
        flood = [gate.refusal("hi", "flooder", "127.0.0.1") for _ in range(40)]
        assert any(r is not None and r.status == 429 for r in flood)
        assert gate.refusal("i want to kill myself", "flooder", "127.0.0.1") is None

    asyncio.run(scenario())
    assert "in a moment" in busy_text() and "988" in busy_text("US")


# --- namespaces ---------------------------------------------------------------------------------


def test_platform_keys_are_prefixed_keyed_and_stable() -> None:
    key = platform_key("telegram", "secret-a", "5012340001")
    assert key.startswith("tg-") and len(key) == 35 and "5012340001" not in key
    assert key == platform_key("telegram", "secret-a", "5012340001")
    assert key != platform_key("telegram", "secret-b", "5012340001")
    assert platform_key("facebook", "s", "1").startswith("fb-") and platform_key("slack", "s", "U1").startswith("slack-")
    with pytest.raises(ValueError):
        platform_key("telegram", "", "1")


@pytest.mark.parametrize("sender", ["tg-abc", "SMS-1", "slack-x", "fb-2", "0123456789abcdef0123456789abcdef"])
def test_rest_senders_in_another_channels_namespace_are_reserved(sender: str) -> None:
    from bot.channels.rest import BadRequest, read_message

    assert reserved_sender(sender)
    with pytest.raises(BadRequest, match="other channels"):
        read_message(json.dumps({"sender": sender, "message": "hi"}).encode())


@pytest.mark.parametrize("sender", ["me", "visitor-42", "5012340001", "8c2f6a0e-1f0b-4e0c-9d1f-2b7a4c9e0f11", "tgx"])
def test_ordinary_rest_senders_are_kept(sender: str) -> None:
    assert not reserved_sender(sender)


def test_conversations_stored_under_raw_platform_ids_are_moved(tmp_path: Path) -> None:
    from bot.storage.tracker_store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"), retention_job=False)
    intent = {"name": "greet", "confidence": 1.0}
    for sender, channel in (("5012340001", "telegram"), ("U123", "slack"), ("visitor", "rest")):
        events = [ActionExecuted("action_listen"), UserUttered("hi", intent, input_channel=channel)]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.close()
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert migrate(url, {"telegram": "tg-secret"}) == 1
    assert migrate(url, {"telegram": "tg-secret"}) == 0  # twice changes nothing
    store = PrivateSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"), retention_job=False)
    assert asyncio.run(store.retrieve("5012340001")) is None
    moved = asyncio.run(store.retrieve(platform_key("telegram", "tg-secret", "5012340001")))
    assert moved is not None and moved.latest_message.text == "hi"
    assert asyncio.run(store.retrieve("U123")) is not None  # Slack not configured: left as it was
    assert asyncio.run(store.retrieve("visitor")) is not None
    store.close()


# --- entities only the bot may set ------------------------------------------------------------


def test_a_slash_command_cannot_set_protected_entities() -> None:
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
    from rasa.shared.nlu.training_data.message import Message

    from bot.understanding import protected

    protected.install()
    domain = Domain.from_dict({
        "intents": ["crisis", "greet"], "entities": ["crisis_category", "tenant", "channel_region", "mood"],
    })
    ours = {"entity": "tenant", "value": "verified-org", "extractor": "ContextExtractor", "start": 0, "end": 0}
    message = Message({"text": '/crisis{"crisis_category": "abuse", "tenant": "acme", "mood": "ok"}', "entities": [ours]})
    [handled] = RegexMessageHandler().process([message], domain)
    assert handled.get("intent")["name"] == "crisis"
    assert sorted((e["entity"], e["value"]) for e in handled.get("entities")) == [("mood", "ok"), ("tenant", "verified-org")]
    plain = Message({"text": "hello", "entities": [ours]})
    assert RegexMessageHandler().process([plain], domain)[0].get("entities") == [ours]


# --- replays -------------------------------------------------------------------------------------


def test_a_delivery_id_is_taken_once_per_channel(db_url: str) -> None:
    from bot.channels.replay import record_first

    assert record_first("telegram", "839204757", db_url)
    assert not record_first("telegram", "839204757", db_url)
    assert record_first("twilio", "839204757", db_url)  # another platform's id space


def test_no_telegram_token_in_the_log_when_its_api_url_is_malformed(caplog: pytest.LogCaptureFixture) -> None:
    from bot.channels.telegram import TelegramInput

    token = "7000000001:AAH-secret-token_abcdefghijklmno"
    channel = TelegramInput(
        token, "", "https://x.org/webhooks/telegram/webhook", secret_token="tg-webhook-secret-value", api_url="http://[::1"
    )

    async def start() -> None:
        try:
            await channel.register_webhook()
        finally:
            await channel.get_output_channel().close_session()

    caplog.set_level("DEBUG")
    asyncio.run(start())
    assert caplog.records
    assert not [r for r in caplog.records if "AAH-secret" in r.getMessage() or "tg-webhook-secret" in r.getMessage()]


# --- supervision -----------------------------------------------------------------------------


def test_a_helper_that_dies_is_restarted_with_back_off_and_the_essential_one_ends_the_set(tmp_path: Path) -> None:
    from bot.runtime import supervise
    from bot.runtime.supervise import Service, Supervisor

    lines: list[str] = []
    helper = Service("helper", [sys.executable, "-c", "import sys; sys.exit(3)"])
    main = Service("main", [sys.executable, "-c", "import time; time.sleep(3)"], essential=True)
    supervisor = Supervisor([helper, main], tmp_path, {}, say=lines.append)
    supervisor.start(helper)
    supervisor.start(main)
    started = time.monotonic()
    code = None
    while code is None and time.monotonic() - started < 10:
        code = supervisor.check()
        time.sleep(0.05)
    assert code == 0 and helper.restarts >= 1
    assert any("helper stopped (exit status 3)" in line for line in lines)
    assert helper.crashes >= 2 and helper.backoff() >= supervise.BACKOFF_SECONDS[1]
    for p in supervisor.processes():
        p.wait(5)


# --- settings and deploy files -------------------------------------------------------------------


def test_erasure_and_listening_settings() -> None:
    assert Settings.from_env({}).erase_api_token == ""
    with pytest.raises(SettingsError, match="ERASE_API_TOKEN"):
        Settings.from_env({"ERASE_API_TOKEN": "short"})
    defaults = Settings.from_env({})
    assert defaults.action_host == defaults.web_host == "127.0.0.1"
    with pytest.raises(SettingsError, match="WEB_HOST"):
        Settings.from_env({"WEB_HOST": "0.0.0.0; rm -rf /"})


def test_a_shared_tracker_store_needs_shared_secrets() -> None:
    shared = {"TRACKER_STORE_URL": "postgresql://rasa@db:5432/therapy"}
    with pytest.raises(SettingsError, match="AUDIT_SALT and SESSION_SECRET"):
        Settings.from_env(shared)
    with pytest.raises(SettingsError):
        Settings.from_env({**shared, "AUDIT_SALT": "a" * 64})
    assert Settings.from_env({**shared, "AUDIT_SALT": "a" * 64, "SESSION_SECRET": "b" * 64}).tracker_store_url == shared["TRACKER_STORE_URL"]


def test_every_new_setting_is_documented() -> None:
    example = (ROOT / ".env.example").read_text()
    for name in ("ERASE_API_TOKEN", "ACTION_HOST", "WEB_HOST", "SHED_MAX_IN_FLIGHT", "SHED_MAX_WAIT_MS"):
        assert f"\n{name}=" in example, name


def test_erasure_is_not_exposed_by_the_proxy_or_the_ingress() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "location /webhooks/rest/conversations/ {\n            return 404;" in conf
    assert "limit_req_zone" in conf and "X-Over-Limit" in conf
    tls = (ROOT / "deploy" / "nginx-tls.conf").read_text()
    assert "Strict-Transport-Security" in tls and "ssl_certificate" in tls
    docs = [d for d in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "therapy-faq.yaml").read_text()) if d]
    for ingress in (d for d in docs if d["kind"] == "Ingress"):
        assert ingress["spec"].get("tls"), ingress["metadata"]["name"]
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]["name"]
                reaches = (path["pathType"] == "Prefix" and "/webhooks/rest/conversations/x".startswith(path["path"])) or (
                    path["path"] == "/webhooks/rest/conversations/x")
                assert not (reaches and backend == "therapy-faq-rasa"), path
