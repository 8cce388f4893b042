"""``make soak``: many concurrent conversations for a few minutes against two
Rasa servers sharing PostgreSQL and Redis behind deploy/nginx.conf.

Each simulated visitor holds one conversation (FAQ questions, follow-ups,
small talk, now and then a crisis message), one message at a time, through
the proxy. Afterwards every conversation is read back from PostgreSQL and
compared with what was sent. Reported: messages sent, replies received,
errors (non-200, empty reply, timeout), lost turns (a sent message missing
from the stored conversation, or stored out of order). Expected: zero errors
and zero lost turns.

    .venv/bin/python -m bench.soak --senders 40 --duration 180
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.settings import ROOT
from tests.support.cluster import Cluster, reachable

MESSAGES = [
    "what is CBT?", "how much does therapy cost?", "tell me more", "what happens in the first session?",
    "is therapy confidential?", "how do I find a therapist?", "thanks", "what is DBT?", "hi",
    "how long does therapy take?", "what is an EAP?", "can I do therapy online?", "what if therapy isn't working?",
    "are you a bot?", "what is ACT?", "how do I know if therapy is working?",
]
CRISIS = ["I want to kill myself", "I don't want to be alive anymore", "my partner hits me"]


@dataclass
class Visitor:
    sender: str
    sent: list[str] = field(default_factory=list)
    replies: int = 0
    errors: list[str] = field(default_factory=list)


async def converse(session, url: str, visitor: Visitor, deadline: float, max_turns: int, rng: random.Random) -> None:
    import aiohttp

    for _ in range(max_turns):
        if time.monotonic() >= deadline:
            return
        text = rng.choice(CRISIS) if rng.random() < 0.03 else rng.choice(MESSAGES)
        try:
            async with session.post(f"{url}?sender={visitor.sender}", json={"sender": visitor.sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=30)) as response:
                body = await response.json(content_type=None) if response.status == 200 else None
                if response.status != 200:
                    visitor.errors.append(f"HTTP {response.status}")
                    continue
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            visitor.errors.append(type(exc).__name__)
            continue
        visitor.sent.append(text)
        if body and any(m.get("text") for m in body):
            visitor.replies += 1
        else:
            visitor.errors.append("empty reply")
        await asyncio.sleep(rng.uniform(0.0, 0.3))  # a person reads before typing again


async def drive(url: str, senders: int, duration: float, max_turns: int, seed: int) -> list[Visitor]:
    import aiohttp

    rng = random.Random(seed)
    visitors = [Visitor(f"soak-{uuid.uuid4().hex[:12]}") for _ in range(senders)]
    deadline = time.monotonic() + duration
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=senders)) as session:
        await asyncio.gather(*(converse(session, url, v, deadline, max_turns, random.Random(rng.random())) for v in visitors))
    return visitors


def lost_turns(cluster: Cluster, visitor: Visitor) -> int:
    from rasa.shared.core.events import BotUttered, UserUttered

    tracker = cluster.tracker(visitor.sender)
    events = list(tracker.events) if tracker else []
    stored = [e.text for e in events if isinstance(e, UserUttered)]
    lost = 0 if stored == visitor.sent else max(1, abs(len(visitor.sent) - len(stored)))
    # every stored message is followed by a reply before the next one
    users = [i for i, e in enumerate(events) if isinstance(e, UserUttered)]
    for start, end in zip(users, users[1:] + [len(events)], strict=True):
        if not any(isinstance(e, BotUttered) for e in events[start:end]):
            lost += 1
    return lost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=40)
    parser.add_argument("--duration", type=float, default=180, help="seconds of load")
    parser.add_argument("--max-turns", type=int, default=400, help="upper bound per conversation")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "soak.json"))
    args = parser.parse_args(argv)
    if not (reachable(5432) and reachable(6379)):
        print("error: the soak test needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        cluster = Cluster(Path(tmp), servers=2)
        cluster.create_database()
        try:
            print("==> starting two Rasa servers, one action server and nginx (model loads take a minute)")
            cluster.start()
            if "proxy" not in cluster.ports:
                print("error: nginx is not installed (make soak installs it)", file=sys.stderr)
                return 2
            url = f"http://127.0.0.1:{cluster.ports['proxy']}/webhooks/rest/webhook"
            print(f"==> {args.senders} concurrent conversations for {args.duration:.0f} s through the proxy")
            started = time.monotonic()
            visitors = asyncio.run(drive(url, args.senders, args.duration, args.max_turns, args.seed))
            elapsed = time.monotonic() - started
            print("==> reading every conversation back from PostgreSQL")
            lost = sum(lost_turns(cluster, v) for v in visitors)
            crashed = [n for n, p in cluster.processes.items() if p.poll() is not None]
        finally:
            cluster.stop()
    sent = sum(len(v.sent) for v in visitors)
    errors = sum(len(v.errors) for v in visitors)
    result = {
        "senders": args.senders, "duration_s": round(elapsed, 1), "messages_sent": sent + errors,
        "replies_received": sum(v.replies for v in visitors), "errors": errors, "lost_turns": lost,
        "replies_per_s": round(sum(v.replies for v in visitors) / elapsed, 1), "processes_died": crashed,
        "error_kinds": sorted({e for v in visitors for e in v.errors}),
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print("\n| Senders | Duration | Messages sent | Replies | Errors | Lost turns | Replies/s |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.senders} | {elapsed:.0f} s | {sent + errors} | {result['replies_received']} | {errors} | {lost} | {result['replies_per_s']} |")
    ok = errors == 0 and lost == 0 and not crashed
    print("\n==> " + ("zero errors, zero lost turns" if ok else f"FAILED: {errors} errors, {lost} lost turns, died: {crashed}"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
