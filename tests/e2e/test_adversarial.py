"""An attacker's and an overload's view of a real `rasa run`, over HTTP and socket.io (issue 15).

One Rasa server for the module, with every platform on (their APIs faked by
:class:`tests.e2e.test_platforms.FakePlatforms`), one worker, and a small
SHED_MAX_IN_FLIGHT so that overload is easy to cause. Each test is a case
from the security review that failed before the change it names.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import MODEL, ROOT, free_port, terminate
from tests.support.platforms import (
    TELEGRAM_SECRET,
    TENANT_SECRET,
    FakePlatforms,
    http,
    post_telegram,
    post_twilio,
    rest,
    server_env,
    telegram_sent,
    telegram_update,
    twilio_form,
)

READY_TIMEOUT = 240
ERASE_TOKEN = "adversarial-erase-token-0123456789abcdef0123"
AUDIT_SALT = "adversarial-audit-salt-0123456789abcdef"
ORIGIN = "http://127.0.0.1:8089"
MAX_IN_FLIGHT = 3
PORTAL = "https://portal.adversarial.example"


@pytest.fixture(scope="module")
def fake() -> FakePlatforms:
    # Not the session's ``fake`` (tests/e2e/conftest.py) on purpose: this module's server
    # registers webhooks and sends replies too, and those records must not be able to
    # satisfy the platform tests' checks of what their own server sent.
    platforms = FakePlatforms().start()
    yield platforms
    platforms.stop()


@pytest.fixture(scope="module")
def organisation(seeded_db: str) -> str:
    """An EAP organisation a slash command might try to claim."""
    from bot.storage.session import session_factory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    slug = "adversarial-org"
    with session_factory(seeded_db).begin() as s:
        TenantRepository(s).save(make_tenant(
            slug, "Claimed Org Ltd", "+1 800 555 0198", eap_hours="24/7", allowed_origins=[PORTAL]))
    return slug


@pytest.fixture(scope="module")
def adversary(fake: FakePlatforms, organisation: str, e2e_dir: Path, seeded_db: str) -> dict[str, Any]:
    from bot.runtime.run import rasa_server_cmd, wait_until_ready

    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")
    port = free_port()
    log = e2e_dir / "adversarial.log"
    env = server_env(fake, e2e_dir, seeded_db)
    env.update(
        TRACKER_STORE_DB=str(e2e_dir / "tracker_adversarial.db"), ERASE_API_TOKEN=ERASE_TOKEN, AUDIT_SALT=AUDIT_SALT,
        RASA_WORKERS="1", SHED_MAX_IN_FLIGHT=str(MAX_IN_FLIGHT), SHED_MAX_WAIT_MS="300", ALLOWED_ORIGINS=ORIGIN,
    )
    with log.open("w") as out:
        process = subprocess.Popen(rasa_server_cmd(port, str(MODEL)), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        if not wait_until_ready(f"http://127.0.0.1:{port}/", READY_TIMEOUT, process):
            pytest.fail(f"server did not start:\n{log.read_text()[-3000:]}")
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if rest(port, {"sender": "adversarial-warmup", "message": "hello"})[1]:
                    break
            except OSError:
                pass
            time.sleep(1)
        else:
            pytest.fail(f"server never answered:\n{log.read_text()[-3000:]}")
        yield {"port": port, "tracker": e2e_dir / "tracker_adversarial.db", "db": seeded_db.removeprefix("sqlite:///")}
    finally:
        terminate(process)
        text = log.read_text()
        for leak in ("Traceback", "Task exception", "kill myself", TELEGRAM_SECRET, ERASE_TOKEN):
            assert leak not in text, f"{leak!r} in the server log:\n{text[-3000:]}"


def stored_senders(tracker: Path) -> set[str]:
    with sqlite3.connect(tracker) as conn:
        return {row[0] for row in conn.execute("SELECT DISTINCT sender_id FROM events")}


def user_metadata(tracker: Path, sender: str) -> list[dict]:
    with sqlite3.connect(tracker) as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)).fetchall()
    # Rasa itself adds which model answered; everything else came from the channel.
    rasa_own = {"model_id", "assistant_id"}
    return [{k: v for k, v in (json.loads(data).get("metadata") or {}).items() if k not in rasa_own} for (data,) in rows]


def texts(messages: Any) -> str:
    return "\n".join(m.get("text") or "" for m in messages or [])


# --- one namespace per channel ------------------------------------------------------------


def test_a_rest_caller_cannot_write_into_a_telegram_conversation(adversary: dict, fake: FakePlatforms) -> None:
    from bot.channels.namespace import platform_key

    chat = 5012347001
    assert post_telegram(adversary["port"], telegram_update("what is dbt?", chat)) == 200
    fake.wait_for(telegram_sent(chat))
    key = platform_key("telegram", TELEGRAM_SECRET, str(chat))
    senders = stored_senders(adversary["tracker"])
    assert key in senders and str(chat) not in senders  # keyed, as Twilio's numbers are
    # Knowing the chat id reaches nothing: a REST message under it starts a conversation of its own.
    status, messages = rest(adversary["port"], {"sender": str(chat), "message": "what is cbt?"})
    assert status == 200 and messages
    assert len(user_metadata(adversary["tracker"], key)) == 1
    assert len(user_metadata(adversary["tracker"], str(chat))) == 1


@pytest.mark.parametrize("sender", ["tg-" + "0" * 32, "SMS-abc", "slack-U123", "fb-1", "a" * 32, "0123456789abcdef" * 2])
def test_rest_senders_shaped_like_another_channels_ids_are_refused(adversary: dict, sender: str) -> None:
    status, answer = rest(adversary["port"], {"sender": sender, "message": "what is cbt?"})
    assert status == 400 and "other channels" in answer["error"]


# --- erasure for backends only --------------------------------------------------------------


def test_erasure_needs_the_credential_and_tells_nothing_about_an_id(adversary: dict) -> None:
    port, sender = adversary["port"], f"adversarial-erase-{free_port()}"
    assert rest(port, {"sender": sender, "message": "what is cbt?"})[0] == 200
    path = f"/webhooks/rest/conversations/{sender}"
    assert http(port, path, method="DELETE")[0] == 401
    assert http(port, path, method="DELETE", headers={"Authorization": "Bearer guessed-" + "x" * 30})[0] == 403
    assert sender in stored_senders(adversary["tracker"])
    auth = {"Authorization": f"Bearer {ERASE_TOKEN}"}
    known = http(port, path, method="DELETE", headers=auth)
    unknown = http(port, f"/webhooks/rest/conversations/never-talked-{free_port()}", method="DELETE", headers=auth)
    assert known == unknown == (204, b"")
    assert sender not in stored_senders(adversary["tracker"])


def test_erasure_is_rate_limited(adversary: dict) -> None:
    statuses = [http(adversary["port"], f"/webhooks/rest/conversations/probe-{i}", method="DELETE")[0] for i in range(40)]
    assert 429 in statuses and set(statuses) <= {401, 429}


# --- slash commands cannot set what only the bot may ------------------------------------------


def test_a_typed_crisis_command_writes_no_audit_row_and_names_no_tenant(adversary: dict) -> None:
    port, sender = adversary["port"], f"adversarial-slash-{free_port()}"
    status, _ = rest(port, {"sender": sender, "message": '/crisis{"crisis_category": "abuse"}'})
    assert status == 200
    status, messages = rest(port, {"sender": sender, "message": '/greet{"tenant": "adversarial-org", "channel_region": "GB"}'})
    assert status == 200
    status, messages = rest(port, {"sender": sender, "message": "how much does therapy cost?"})
    assert status == 200 and "Claimed Org" not in texts(messages)
    time.sleep(1)  # audit rows are written off the event loop
    digest = hashlib.sha256(f"{AUDIT_SALT}:{sender}".encode()).hexdigest()
    with sqlite3.connect(adversary["db"]) as conn:
        rows = conn.execute("SELECT category FROM crisis_events WHERE sender_hash = ?", (digest,)).fetchall()
    assert rows == []


# --- tenant tokens: a key per organisation, bound to its sites ------------------------------------


def test_a_tenant_token_works_only_with_its_own_key_and_from_its_own_sites(adversary: dict, organisation: str) -> None:
    import jwt

    from bot.tenants.tokens import issue_token

    port, question = adversary["port"], "how much does therapy cost?"
    token = issue_token(organisation, ttl_seconds=300, secret=TENANT_SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    status, messages = rest(port, {"sender": f"adversarial-org-{free_port()}", "message": question}, {**headers, "Origin": PORTAL})
    assert status == 200 and "Claimed Org" in texts(messages)
    status, answer = rest(port, {"sender": f"adversarial-org-{free_port()}", "message": question},
                          {**headers, "Origin": "https://elsewhere.example"})
    assert status == 401 and "portal" in answer["error"]
    now = int(time.time())  # signed with the master secret itself, as every portal used to: refused
    shared = jwt.encode({"tenant": organisation, "iat": now, "exp": now + 300}, TENANT_SECRET, algorithm="HS256")
    status, _ = rest(port, {"sender": f"adversarial-org-{free_port()}", "message": question}, {"Authorization": f"Bearer {shared}"})
    assert status == 401


# --- limits before parsing -------------------------------------------------------------------


def test_a_deeply_nested_body_is_a_clear_400_on_rest_and_telegram(adversary: dict) -> None:
    deep = b'{"sender": "adversarial-deep", "message": "hi", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    status, body = http(adversary["port"], "/webhooks/rest/webhook", deep, {"Content-Type": "application/json"})
    assert status == 400 and "levels deep" in json.loads(body)["error"]
    update = b'{"update_id": 1, "message": ' + b"{" * 3000 + b"}" * 3000 + b"}"
    assert post_telegram(adversary["port"], update) == 400


def test_a_huge_body_is_refused_before_it_is_read(adversary: dict) -> None:
    import socket

    # Only the headers and a first few bytes are sent: the answer must come without the rest (Sanic's default: 100 MB).
    with socket.create_connection(("127.0.0.1", adversary["port"]), timeout=20) as conn:
        conn.sendall(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2000000\r\n\r\n" + b'{"sender": "adversarial-big", "message": "aaaa'
        )
        head = conn.recv(4096)
    assert head.startswith(b"HTTP/1.1 413"), head[:200]


def test_metadata_is_bounded_and_only_allow_listed_fields_are_stored(adversary: dict) -> None:
    port, sender = adversary["port"], f"adversarial-meta-{free_port()}"
    status, answer = rest(port, {"sender": sender, "message": "hi", "metadata": {"blob": "x" * 5000}})
    assert status == 400 and "metadata" in answer["error"]
    status, _ = rest(port, {"sender": sender, "message": "hi", "metadata": {"region": "GB", "email": "a@b.example", "x": [1]}})
    assert status == 200
    assert user_metadata(adversary["tracker"], sender) == [{"region": "GB"}]


def test_deep_socketio_metadata_gets_a_clear_error_event(adversary: dict) -> None:
    from tests.e2e.test_widget_browser import Client

    async def run() -> list[Any]:
        client = Client()
        await client.connect(f"http://127.0.0.1:{adversary['port']}", ORIGIN)
        try:
            await client.session()
            deep = '{"message": "hi", "metadata": ' + "[" * 5000 + "]" * 5000 + "}"
            await client.ws.send('42["user_uttered",' + deep + "]")
            return await client.replies_within(5)
        finally:
            await client.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        events = pool.submit(asyncio.run, run()).result()
    assert events, "no answer at all to a deeply nested packet"
    name, data = events[0]
    assert name == "message_error" and data["code"] == "unreadable" and "nested too deeply" in data["message"]


# --- replays -----------------------------------------------------------------------------------


def answered_once(post: Any, count: Any) -> None:
    """``post`` twice: the second (a resend, or a replay) sends nothing more than the first did."""
    assert post() == 200
    deadline = time.monotonic() + 30
    while not count() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)  # every part of the first answer is out
    first = count()
    assert first > 0
    assert post() == 200
    time.sleep(3)
    assert count() == first


def test_a_resent_telegram_update_is_answered_once(adversary: dict, fake: FakePlatforms) -> None:
    chat = 5012347002
    update = telegram_update("what is cbt?", chat)
    answered_once(lambda: post_telegram(adversary["port"], update), lambda: len(fake.matching(telegram_sent(chat))))


def test_a_resent_twilio_message_is_answered_once(adversary: dict, fake: FakePlatforms) -> None:
    number = "+12125550177"
    pairs = twilio_form("what is cbt?", number)
    sent = lambda c: c["path"].endswith("/Messages.json") and c["body"].get("To") == number  # noqa: E731
    answered_once(lambda: post_twilio(adversary["port"], pairs), lambda: len(fake.matching(sent)))


# --- overload: a crisis lane -------------------------------------------------------------------


async def post_together(port: int, bodies: list[dict[str, Any]]) -> list[tuple[int, Any, float]]:
    """POST every body at the same instant: each request but its last byte, then all last bytes at once.

    Else the overlap hangs on how fast a busy client opens connections (seen: 150 of 150 answered, none shed).
    """
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in bodies]
    for (_, writer), body in zip(connections, bodies, strict=True):
        payload = json.dumps(body).encode()
        writer.write(
            b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload[:-1]
        )
        await writer.drain()
    await asyncio.sleep(0.5)  # every partial request has reached the server, which waits for the rest
    started = time.monotonic()
    for (_, writer), body in zip(connections, bodies, strict=True):
        writer.write(json.dumps(body).encode()[-1:])

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[int, Any, float]:
        raw = await asyncio.wait_for(reader.read(), timeout=120)
        took = time.monotonic() - started
        writer.close()
        head, _, payload = raw.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(payload or b"null"), took

    return list(await asyncio.gather(*(answer(r, w) for r, w in connections)))


def test_overloaded_others_hear_busy_at_once_and_a_crisis_still_gets_the_hand_off(adversary: dict) -> None:
    stamp = time.monotonic()
    others = [{"sender": f"adversarial-load-{i}-{stamp}", "message": "how long does therapy take?"} for i in range(150)]
    crises = [{"sender": f"adversarial-load-{1000 + i}-{stamp}", "message": "i want to kill myself"} for i in range(4)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(asyncio.run, post_together(adversary["port"], others + crises)).result()
    answered, crisis = results[: len(others)], results[len(others):]
    for status, body, _ in crisis:
        assert status == 200 and "988" in texts(body), (status, body)
    statuses = [status for status, _, _ in answered]
    # Busy is a 4xx (429 with Retry-After), never a 5xx.
    assert set(statuses) <= {200, 429} and 429 in statuses, [(s, round(t, 2)) for s, _, t in answered]
    busy = [(body, took) for status, body, took in answered if status == 429]
    assert all("in a moment" in texts(body) and "988" in texts(body) for body, _ in busy)
    # Busy answers come without waiting for a turn to be computed.
    assert min(took for _, took in busy) < min(took for status, _, took in answered if status == 200) + 1.0


def test_a_flooding_sender_is_slowed_but_its_crisis_message_is_answered(adversary: dict) -> None:
    port, sender = adversary["port"], f"adversarial-flood-{free_port()}"
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(lambda _: rest(port, {"sender": sender, "message": "hi"})[0], range(120)))
    assert 429 in statuses and set(statuses) <= {200, 429}, statuses
    status, messages = rest(port, {"sender": sender, "message": "i want to kill myself"})
    assert status == 200 and "988" in texts(messages)


# --- through deploy/nginx.conf ------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxy(adversary: dict, tmp_path_factory: pytest.TempPathFactory) -> int:
    """deploy/nginx.conf itself (tests.support.cluster.nginx_conf puts this run's ports in), in front of the server."""
    from tests.support.cluster import nginx_binary, nginx_conf
    from tests.support.services import require_nginx

    require_nginx()
    workdir = tmp_path_factory.mktemp("proxy")
    conf, port = nginx_conf(workdir, [adversary["port"], adversary["port"]], free_port())
    process = subprocess.Popen(
        [nginx_binary(), "-p", str(workdir), "-c", str(conf), "-g", f"daemon off; pid {workdir}/nginx.pid; error_log stderr;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if rest(port, {"sender": "adversarial-proxy-warmup", "message": "hello"})[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        terminate(process)


def test_the_proxy_does_not_route_erasure(proxy: int) -> None:
    status, _ = http(proxy, "/webhooks/rest/conversations/someone", method="DELETE",
                     headers={"Authorization": f"Bearer {ERASE_TOKEN}"})
    assert status == 404


def test_over_the_proxys_rate_others_hear_busy_and_a_crisis_is_answered(proxy: int) -> None:
    sender = f"adversarial-proxy-{free_port()}"
    # A client out on the internet (the TLS front adds the last X-Forwarded-For hop; nginx trusts it from here).
    client = {"X-Forwarded-For": "203.0.113.7"}

    def send(text: str) -> tuple[int, Any]:
        raw = json.dumps({"sender": sender, "message": text}).encode()
        status, body = http(proxy, f"/webhooks/rest/webhook?sender={sender}", raw, {"Content-Type": "application/json", **client})
        return status, json.loads(body or b"null")

    statuses = [send("hi")[0] for _ in range(30)]
    assert 429 in statuses and set(statuses) <= {200, 429}, statuses
    status, messages = send("i want to kill myself")
    assert status == 200 and "988" in texts(messages)
