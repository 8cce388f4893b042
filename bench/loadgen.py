"""The load generator: simulated visitors on the REST channel, in a process of its own.

It runs apart from the orchestrator (bench/run.py) so that sampling memory,
starting servers or printing never delays a request, and apart from the
server so that the client's own CPU use is visible as what it is. Three
shapes:

- ``closed``: N visitors sending back to back, no think time. A reply starts
  the next message, so the rate adapts to the server: this measures capacity
  (replies per second) and the latency at that capacity.
- ``open``: Poisson arrivals at a fixed rate from many senders, whatever the
  server does. A slow server cannot slow the arrivals down, so queueing shows
  up in the latency (measured from each message's scheduled arrival, which
  avoids coordinated omission).
- ``single``: one visitor back to back: the latency of a reply on an idle server.

Every loop is bounded in time and in count, every request has a timeout, and
only the given loopback URL is ever contacted. No message text is printed or
stored: samples keep the message's kind, its latency and its outcome.

    python -m bench.loadgen http://127.0.0.1:5005/webhooks/rest/webhook --shape closed --users 20 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import re
import resource
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlparse

import aiohttp

from bench.workload import Conversation, crisis_messages, faq_questions, topic_ids

# Any run of three or more digits: every region's crisis reply carries at least one hotline number.
_HOTLINE = re.compile(r"\d{3}")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Sample:
    kind: str
    started: float  # loop time the message was sent (closed loop) or scheduled (open loop)
    latency: float  # seconds
    outcome: str  # ok, http_<status>, empty, timeout, connection, bad_json, dropped
    measured: bool  # False during the warm-up
    helpline: Optional[bool] = None  # answered crisis messages only: did the reply carry a number?
    ref: Optional[int] = None  # crisis messages only: the message's index in crisis_messages() (never its text)


def crisis_ref(kind: str, text: str) -> Optional[int]:
    return crisis_messages().index(text) if kind == "crisis" else None


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list (0.0 when it is empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency_summary(latencies: list[float]) -> dict[str, float]:
    values = sorted(latencies)
    ms = {f"p{p}": round(percentile(values, p) * 1000, 1) for p in (50, 90, 95, 99)}
    ms["max"] = round(values[-1] * 1000, 1) if values else 0.0
    ms["mean"] = round(sum(values) / len(values) * 1000, 1) if values else 0.0
    return ms


class Client:
    """One aiohttp session for all visitors (connections are kept alive, as a browser's are)."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self) -> Client:
        # limit=0: the client never queues requests itself; any queueing measured is the server's.
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=self.timeout)
        return self

    async def __aexit__(self, *_: Any) -> None:
        if self.session is not None:
            await self.session.close()

    async def send(self, sender: str, text: str) -> tuple[str, list[dict[str, Any]]]:
        """(outcome, bot messages); outcome is ``ok`` only for a 200 with at least one message."""
        assert self.session is not None
        try:
            async with self.session.post(self.url, json={"sender": sender, "message": text}) as response:
                if response.status != 200:
                    await response.read()
                    return f"http_{response.status}", []
                body = await response.json(content_type=None)
        except asyncio.TimeoutError:
            return "timeout", []
        except aiohttp.ClientError:
            return "connection", []
        except ValueError:
            return "bad_json", []
        if not isinstance(body, list) or not body:
            return "empty", []
        return "ok", body


def has_helpline(messages: list[dict[str, Any]]) -> bool:
    return any(_HOTLINE.search(m.get("text") or "") for m in messages)


async def closed_loop(client: Client, users: int, duration: float, warmup: float, seed: int, tag: str,
                      max_per_user: int) -> tuple[list[Sample], float, float]:
    """``users`` visitors back to back until the time is up; returns (samples, window start, window end)."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    measure_from, end = t0 + warmup, t0 + warmup + duration
    samples: list[Sample] = []

    async def visitor(index: int) -> None:
        rng = random.Random(seed * 10_007 + index)
        conversation: Optional[Conversation] = None
        for n in range(max_per_user):
            if loop.time() >= end:
                return
            if conversation is None or conversation.done:
                conversation = Conversation.start(f"bench-{tag}-{index}-{n}", rng)
            kind, text = conversation.next_message()
            started = loop.time()
            outcome, messages = await client.send(conversation.sender, text)
            samples.append(Sample(kind, started, loop.time() - started, outcome, started >= measure_from,
                                  has_helpline(messages) if kind == "crisis" and outcome == "ok" else None,
                                  crisis_ref(kind, text)))

    await asyncio.gather(*(visitor(i) for i in range(users)))
    return samples, measure_from, max((s.started + s.latency for s in samples), default=end)


async def open_loop(client: Client, rate: float, duration: float, warmup: float, seed: int, tag: str,
                    max_in_flight: int, timeout: float) -> tuple[list[Sample], float, float, float]:
    """Poisson arrivals at ``rate``/s; returns (samples, window start, window end, worst client lag in s)."""
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    total = warmup + duration
    arrivals: list[float] = []
    at = 0.0
    cap = int(rate * total * 1.5) + 10  # a bound on the count, whatever the random draws
    while len(arrivals) < cap:
        at += rng.expovariate(rate)
        if at >= total:
            break
        arrivals.append(at)
    samples: list[Sample] = []
    idle: list[Conversation] = []
    tasks: set[asyncio.Task] = set()
    worst_lag = 0.0
    t0 = loop.time()
    measure_from = t0 + warmup
    conversations = 0

    async def one(conversation: Conversation, kind: str, text: str, scheduled: float) -> None:
        outcome, messages = await client.send(conversation.sender, text)
        samples.append(Sample(kind, scheduled, loop.time() - scheduled, outcome, scheduled >= measure_from,
                              has_helpline(messages) if kind == "crisis" and outcome == "ok" else None,
                              crisis_ref(kind, text)))
        if not conversation.done:
            idle.append(conversation)  # the visitor reads the reply, then may write again

    for at in arrivals:
        scheduled = t0 + at
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        worst_lag = max(worst_lag, loop.time() - scheduled)
        if len(tasks) >= max_in_flight:
            samples.append(Sample("dropped", scheduled, 0.0, "dropped", scheduled >= measure_from))
            continue
        # Most arrivals continue a conversation that is waiting; the rest are new visitors.
        if idle and rng.random() < 0.75:
            conversation = idle.pop(rng.randrange(len(idle)))
        else:
            conversation = Conversation.start(f"bench-{tag}-o{conversations}", rng)
            conversations += 1
        kind, text = conversation.next_message()
        task = asyncio.create_task(one(conversation, kind, text, scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=timeout + 5)
    for task in list(tasks):  # cannot happen with the per-request timeout, but never leave one uncounted
        task.cancel()
        samples.append(Sample("unfinished", t0, timeout, "timeout", True))
    return samples, measure_from, t0 + total, worst_lag


def summarise(shape: str, samples: list[Sample], window_start: float, window_end: float, **extra: Any) -> dict[str, Any]:
    measured = [s for s in samples if s.measured]
    ok = [s for s in measured if s.outcome == "ok"]
    window = max(1e-9, window_end - window_start)
    errors: dict[str, int] = {}
    for s in measured:
        if s.outcome != "ok":
            errors[s.outcome] = errors.get(s.outcome, 0) + 1
    kinds: dict[str, list[float]] = {}
    for s in ok:
        kinds.setdefault(s.kind, []).append(s.latency)
    crisis = [s for s in measured if s.kind == "crisis"]
    return {
        "shape": shape,
        **extra,
        "window_s": round(window, 2),
        "requests": len(measured),
        "ok": len(ok),
        "errors": errors,
        "error_total": sum(errors.values()),
        "replies_per_s": round(len(ok) / window, 2),
        "latency_ms": latency_summary([s.latency for s in measured if s.outcome != "dropped"]),
        "by_kind": {k: {"n": len(v), **{m: latency_summary(v)[m] for m in ("p50", "p95")}} for k, v in sorted(kinds.items())},
        "mix": {k: round(sum(1 for s in measured if s.kind == k) / max(1, len(measured)), 3)
                for k in sorted({s.kind for s in measured})},
        # A crisis message answered without a number, and one not answered at all (also counted in errors).
        "crisis": {"n": len(crisis), "without_helpline": sum(1 for s in crisis if s.helpline is False),
                   "unanswered": sum(1 for s in crisis if s.outcome != "ok")},
        "warmup_requests": len(samples) - len(measured),
        # Replies in the warm-up too: the servers' CPU is read over the whole run.
        "ok_all": sum(1 for s in samples if s.outcome == "ok"),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tag = secrets.token_hex(3)  # fresh senders on every run, so reruns never extend old conversations
    # Parse the message files before the clock starts (YAML parsing would stall the first arrivals).
    faq_questions(), crisis_messages(), topic_ids()
    async with Client(args.url, args.timeout) as client:
        if args.shape == "open":
            samples, start, end, lag = await open_loop(client, args.rate, args.duration, args.warmup, args.seed, tag,
                                                       args.max_in_flight, args.timeout)
            return summarise("open", samples, start, end, offered_rate=args.rate, client_worst_lag_ms=round(lag * 1000, 1))
        users = 1 if args.shape == "single" else args.users
        max_per_user = max(1, int(args.max_requests / users))
        samples, start, end = await closed_loop(client, users, args.duration, args.warmup, args.seed, tag, max_per_user)
        return summarise(args.shape, samples, start, end, users=users)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Simulated visitors on the bot's REST channel (loopback only).")
    parser.add_argument("url", help="the REST webhook, e.g. http://127.0.0.1:5005/webhooks/rest/webhook")
    parser.add_argument("--shape", choices=["closed", "open", "single"], default="closed")
    parser.add_argument("--users", type=int, default=20, help="closed loop: concurrent visitors")
    parser.add_argument("--rate", type=float, default=40.0, help="open loop: messages per second")
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds (after the warm-up)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load not counted")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout in seconds (counted as an error)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="upper bound on the messages sent")
    parser.add_argument("--max-in-flight", type=int, default=500, help="open loop: arrivals beyond this are dropped (an error)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="write the JSON summary here (default: stdout)")
    args = parser.parse_args(argv)
    if urlparse(args.url).hostname not in LOOPBACK:
        parser.error("the load generator only targets this machine's loopback address")
    if not (0 < args.duration <= 3600 and 0 <= args.warmup <= 600 and 0 < args.timeout <= 120):
        parser.error("duration, warm-up or timeout out of range")
    started = time.monotonic()
    result = asyncio.run(run(args))
    result["wall_s"] = round(time.monotonic() - started, 2)
    # Its own CPU, imports included: it shares the cores with the servers it measures.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 3)
    text = json.dumps(result, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
