"""Two Rasa servers and one action server sharing PostgreSQL and Redis, the
way the bot scales out: any server can take any turn of any conversation.

Over real connections to the PostgreSQL and Redis on this machine; where either
is absent the tests fail with the command that starts it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from tests.e2e.test_server import texts
from tests.support.cluster import Cluster, free_port, nginx_binary, nginx_conf
from tests.support.services import require_nginx

SECRET = "scale-out-test-secret-" + "x" * 20
TENANT = "scale-co"

pytestmark = [pytest.mark.usefixtures("postgres_running", "redis_running")]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from bot.storage.session import session_factory
    from bot.tenants.model import make_tenant
    from bot.tenants.repository import TenantRepository

    c = Cluster(tmp_path_factory.mktemp("cluster"), servers=2, extra_env={"TENANT_JWT_SECRET": SECRET})
    c.create_database()
    try:
        with session_factory(c.url).begin() as s:
            TenantRepository(s).save(make_tenant(TENANT, "Scale Co", "+1 800 555 0111", eap_hours="24/7"))
        c.start()
        yield c
    finally:
        c.stop()


def send(cluster: Cluster, server: str, sender: str, message: str, token: str | None = None) -> str:
    import urllib.parse
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{cluster.ports[server]}/webhooks/rest/webhook?sender={urllib.parse.quote(sender)}",
        data=json.dumps({"sender": sender, "message": message}).encode(), headers=headers,
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return texts(json.loads(response.read()))


def test_turns_alternating_between_servers_keep_the_conversation(cluster: Cluster) -> None:
    from bot.tenants.tokens import issue_token

    sender = f"alt-{uuid.uuid4().hex}"
    token = issue_token(TENANT, 600, secret=SECRET)
    assert "CBT" in send(cluster, "a", sender, "what is CBT?", token)
    more = send(cluster, "b", sender, "tell me more")  # served by the action server from B's view of the topic
    assert "more to" in more and "cbt" in more.lower(), more
    send(cluster, "a", sender, "I'm in the UK")
    crisis = send(cluster, "b", sender, "I want to end my life")
    assert "116 123" in crisis, crisis  # Samaritans: the region said on A reached B
    assert "Scale Co EAP" in crisis  # the organisation from A's token reached B
    tracker = cluster.tracker(sender, full=False)
    assert tracker.get_slot("tenant") == TENANT and tracker.get_slot("region") == "GB"
    assert tracker.get_slot("crisis_category") == "suicide" and tracker.get_slot("last_topic") == "cbt"


def test_concurrent_messages_for_one_sender_are_serialised_across_servers(cluster: Cluster) -> None:
    sender = f"burst-{uuid.uuid4().hex}"
    questions = {
        "what is CBT?": "CBT", "what is DBT?": "DBT", "what is ACT?": "ACT", "what is psychodynamic therapy?": "sychodynamic",
        "what is interpersonal therapy?": "nterpersonal", "what is supportive therapy?": "upportive",
        "what happens in the first session?": "first visit", "is therapy confidential?": "stays private",
    }
    jobs = [("a" if i % 2 else "b", q) for i, q in enumerate(questions)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        replies = list(pool.map(lambda job: send(cluster, job[0], sender, job[1]), jobs))
    for (_, question), reply in zip(jobs, replies, strict=True):
        assert questions[question] in reply, f"{question!r} got {reply[:120]!r}"
    events = list(cluster.tracker(sender).events)
    users = [i for i, e in enumerate(events) if isinstance(e, UserUttered)]
    assert sorted(e.text for e in events if isinstance(e, UserUttered)) == sorted(questions)  # none lost
    # one whole turn at a time: a bot reply between every two user messages, never interleaved
    for start, end in zip(users, users[1:] + [len(events)], strict=True):
        turn = events[start:end]
        answer = " ".join(e.text or "" for e in turn if isinstance(e, BotUttered))
        assert questions[turn[0].text] in answer, f"turn {turn[0].text!r} answered {answer[:120]!r}"


def test_the_proxy_config_is_valid() -> None:
    require_nginx()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        conf, _ = nginx_conf(Path(tmp), [free_port(), free_port()], free_port())
        check = subprocess.run(
            [nginx_binary(), "-t", "-p", tmp, "-c", str(conf), "-g", f"pid {tmp}/nginx.pid; error_log stderr;"],
            capture_output=True, text=True,
        )
    assert check.returncode == 0, check.stderr


def test_a_server_killed_mid_conversation_loses_nothing(cluster: Cluster) -> None:
    """Through deploy/nginx.conf: conversations hashed over both servers, one server killed."""
    require_nginx()
    senders = [f"kill-{i}-{uuid.uuid4().hex[:8]}" for i in range(8)]
    for sender in senders:
        assert "988" in send(cluster, "proxy", sender, "I want to kill myself")
        assert "CBT" in send(cluster, "proxy", sender, "what is CBT?")
    cluster.processes["a"].send_signal(signal.SIGKILL)
    cluster.processes["a"].wait(timeout=10)
    # conversations that were on A re-hash to B and go on there, whole
    for sender in senders:
        assert "DBT" in send(cluster, "proxy", sender, "and what is DBT?")
    for sender in senders:
        tracker = cluster.tracker(sender)
        said = [e.text for e in tracker.events if isinstance(e, UserUttered)]
        assert said == ["I want to kill myself", "what is CBT?", "and what is DBT?"]
        assert tracker.get_slot("crisis_category") == "suicide"
