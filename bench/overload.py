"""Overload with a crisis lane: the bot at several times its capacity, open loop, as `make run` starts it.

    .venv/bin/python -m bench.overload --rate 340 --duration 30
    .venv/bin/python -m bench.overload --capacity-from bench/results.json   (what `make bench` runs)

Starts the bot on free ports (bench.stack.start_bot: action server + Rasa
server with its workers, its databases in a temporary directory), then sends
Poisson arrivals from many senders at ``--rate`` messages a second (default:
three times the closed-loop capacity in docs/performance.md), mixed as the
other benchmarks mix them (bench.workload: FAQ questions, follow-ups and
crisis messages). Then it checks what issue 15 promises under overload:

- every crisis message gets the hand-off (a reply with a hotline number)
  within ``--crisis-limit`` seconds (1 s);
- every other message gets a reply or a clear "busy" (429 with
  Retry-After; bot/channels/shed.py), and no 5xx, timeout or dropped
  connection.

Before the load, each crisis message is sent once to the idle bot, in a
conversation of its own: a message that gets no hand-off even then is a miss
of the crisis model (measured by ``make eval-crisis``, issue 12), not of
overload, and is reported apart rather than counted against the promise.

Prints one JSON object and exits 1 when either promise is broken. It does not
touch bench/run.py's results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

# Closed-loop replies/s on the reference 2-core machine (docs/performance.md).
MEASURED_CAPACITY = 112.0
BUSY = {"http_429"}  # a busy answer; any 5xx is a failure


def verdict(samples: list[Any], crisis_limit: float, idle_handoffs: Optional[set[int]] = None) -> dict[str, Any]:
    """The promises, from the load generator's samples (measured window only).

    ``idle_handoffs``: indices of the crisis messages the idle bot hands off;
    an answer without a number to any other is the model's miss, not the load's.
    """
    from bench.loadgen import latency_summary

    measured = [s for s in samples if s.measured]
    all_crisis = [s for s in measured if s.kind == "crisis"]
    crisis = [s for s in all_crisis if idle_handoffs is None or s.ref in idle_handoffs]
    others = [s for s in measured if s.kind != "crisis"]
    late = [s for s in crisis if s.outcome != "ok" or not s.helpline or s.latency > crisis_limit]
    failed = [s for s in others if s.outcome != "ok" and s.outcome not in BUSY]
    return {
        "crisis": {"sent": len(crisis), "handed_off_in_time": len(crisis) - len(late),
                   "not_handed_off_at_idle_either": len(all_crisis) - len(crisis),
                   # Why the others were not: refused or failed, answered without a number, or too slow.
                   "not_in_time": {"refused": sum(s.outcome != "ok" for s in late),
                                   "no_number": sum(s.outcome == "ok" and not s.helpline for s in late),
                                   "slow": sum(s.outcome == "ok" and bool(s.helpline) for s in late)},
                   "latency_ms": latency_summary([s.latency for s in crisis])},
        "others": {"sent": len(others), "answered": sum(s.outcome == "ok" for s in others),
                   "busy": sum(s.outcome in BUSY for s in others), "failed": len(failed),
                   "failures": sorted({s.outcome for s in failed}),
                   "answered_latency_ms": latency_summary([s.latency for s in others if s.outcome == "ok"])},
        "ok": not late and not failed and bool(crisis),
    }


async def probe_idle(client: Any, tag: str) -> set[int]:
    """Indices of the crisis messages the idle bot hands off, each in a fresh conversation (four at a time)."""
    from bench.loadgen import has_helpline
    from bench.workload import crisis_messages

    gate = asyncio.Semaphore(4)

    async def one(index: int, text: str) -> Optional[int]:
        async with gate:
            outcome, messages = await client.send(f"idle-{tag}-{index}", text)
        return index if outcome == "ok" and has_helpline(messages) else None

    found = await asyncio.gather(*(one(i, text) for i, text in enumerate(crisis_messages())))
    return {i for i in found if i is not None}


async def drive(url: str, rate: float, duration: float, warmup: float, seed: int) -> tuple[list[Any], set[int]]:
    import secrets

    from bench.loadgen import Client, open_loop

    tag = f"ov{secrets.token_hex(3)}"
    async with Client(url, timeout=30.0) as client:
        idle = await probe_idle(client, tag)
        samples, *_ = await open_loop(client, rate, duration, warmup, seed, tag, max_in_flight=100_000, timeout=30.0)
    return samples, idle


def capacity_from(results: Path) -> float:
    """The bot's closed-loop replies/s measured by the `make bench` run that wrote ``results``."""
    try:
        return float(json.loads(results.read_text(encoding="utf-8"))["bot"]["closed"]["replies_per_s"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SystemExit(f"error: no closed-loop capacity in {results} ({error}); run `make bench` first") from error


def main(argv: Optional[list[str]] = None) -> int:
    from bench.stack import start_bot

    parser = argparse.ArgumentParser(prog="python -m bench.overload", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=3 * MEASURED_CAPACITY, help="messages per second (default 3x capacity)")
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--crisis-limit", type=float, default=1.0, help="seconds a crisis hand-off may take")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--capacity-from", type=Path,
                        help="bench/results.json of a `make bench` run: the rate is three times its closed-loop replies/s")
    args = parser.parse_args(argv)
    if args.capacity_from is not None:
        args.rate = 3 * capacity_from(args.capacity_from)
    with tempfile.TemporaryDirectory(prefix="bench-overload-") as tmp:
        stack = start_bot(Path(tmp))
        try:
            samples, idle = asyncio.run(drive(stack.url, args.rate, args.duration, args.warmup, args.seed))
        finally:
            stack.close()
    from bench.workload import crisis_messages

    result = {"rate": args.rate, "duration_s": args.duration,
              "idle_probe": {"crisis_messages": len(crisis_messages()), "handed_off": len(idle)},
              **verdict(samples, args.crisis_limit, idle)}
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
