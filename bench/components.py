"""Milliseconds per message of each step of a reply, measured in process, one message at a time.

The load test says how fast the whole server is; this says which part of one
reply costs what, without HTTP and without concurrency: every graph node of
the model (the NLU components and the policies), the tracker store's
retrieve and save, the rendering of the responses, and the whole
``handle_message``. It then swaps the SQLite tracker store for Rasa's
in-memory one and replays the same conversations, which prices the tracker
store per turn. Follow-ups ("tell me more") are left out: they wait on the
action server, which is not running here (the load test covers them).

    python -m bench.components [--messages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Optional

from bench.levers.sitecustomize import PATCHES as LEVERS
from bench.stack import free_port
from bench.workload import Conversation
from bot.core import wiring
from bot.core.settings import ROOT

MODEL = ROOT / "models" / "therapy.tar.gz"
Timings = dict[str, list[float]]


def timed(obj: Any, name: str, label: str, sink: Timings) -> None:
    """Replace ``obj.name`` (sync or async) with a wrapper that records its duration under ``label``."""
    fn: Callable[..., Any] = getattr(obj, name)
    if asyncio.iscoroutinefunction(fn):
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                sink[label].append(time.perf_counter() - started)

        setattr(obj, name, async_wrapper)
    else:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                sink[label].append(time.perf_counter() - started)

        setattr(obj, name, wrapper)


class NodeTimer:
    """Times every graph node (NLU components, policies) by name, into whichever sink is current."""

    def __init__(self) -> None:
        from rasa.engine.graph import GraphNode

        self.sink: Timings = defaultdict(list)
        original = GraphNode.__call__
        timer = self

        def call(node: GraphNode, *inputs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(node, *inputs)
            finally:
                timer.sink[f"node {node._node_name}"].append(time.perf_counter() - started)

        GraphNode.__call__ = call  # type: ignore[method-assign]


async def load(tmp: Path) -> Any:
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    from bot.core.settings import export_defaults
    from bot.storage.seed import init_db

    database_url = f"sqlite:///{tmp / 'bot.db'}"
    init_db(database_url)
    os.environ.update(
        TRACKER_STORE_DB=str(tmp / "tracker.db"),
        DATABASE_URL=database_url,
        ACTION_SERVER_URL=f"http://127.0.0.1:{free_port()}/webhook",  # not used: follow-ups are left out
        AUDIT_SALT=secrets.token_hex(16),
    )
    wiring.reload_settings()
    export_defaults()
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
    return await load_agent(model_path=str(MODEL), endpoints=endpoints)


async def replay(agent: Any, messages: int, seed: int, tag: str) -> float:
    """Send ``messages`` messages in conversations drawn like the load test's; returns the wall time."""
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    rng = random.Random(seed)
    conversation: Optional[Conversation] = None
    sent, n = 0, 0
    started = time.perf_counter()
    while sent < messages:
        if conversation is None or conversation.done:
            conversation = Conversation.start(f"components-{tag}-{n}", rng)
            n += 1
        kind, text = conversation.next_message()
        if kind == "follow_up":
            continue
        await agent.handle_message(UserMessage(text, CollectingOutputChannel(), conversation.sender, input_channel="rest"))
        sent += 1
    return time.perf_counter() - started


def instrument(agent: Any, sink: Timings) -> None:
    processor = agent.processor
    timed(agent, "handle_message", "handle_message (whole reply)", sink)
    timed(processor, "parse_message", "NLU: parse_message (all NLU nodes)", sink)
    timed(processor, "_predict_next_with_tracker", "policies: predict next action", sink)
    timed(processor, "_run_action", "run action (incl. NLG, events)", sink)
    timed(processor.tracker_store, "retrieve", "tracker store: retrieve", sink)
    timed(processor.tracker_store, "save", "tracker store: save", sink)
    timed(processor.nlg, "generate", "NLG: generate", sink)


def table(sink: Timings, messages: int) -> list[tuple[str, float, float, float, int]]:
    """(label, ms per message, p50 ms per call, calls per message, calls) sorted by cost per message."""
    rows = []
    for label, values in sink.items():
        if not values:
            continue
        rows.append((label, sum(values) * 1000 / messages, statistics.median(values) * 1000, len(values) / messages, len(values)))
    return sorted(rows, key=lambda r: -r[1])


def print_table(title: str, rows: list[tuple[str, float, float, float, int]]) -> None:
    print(f"\n{title}\n")
    print("| step | ms per message | p50 ms per call | calls per message |")
    print("|---|---:|---:|---:|")
    for label, per_msg, p50, calls, _ in rows:
        print(f"| {label} | {per_msg:.2f} | {p50:.2f} | {calls:.2f} |")


async def main_async(args: argparse.Namespace) -> int:
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # As `rasa run` does at its default level: unconfigured, structlog would print (and time) every debug event.
    configure_logging_and_warnings(logging.INFO, warn_only_once=True, filter_repeated_logs=True)
    configure_structlog(logging.INFO)
    for name in args.lever:
        module, patch = LEVERS[name]
        patch(importlib.import_module(module))
        print(f"lever applied: {name}")
    from bot.runtime import patches as rasa_patches

    rasa_patches.apply()  # what every Rasa server process runs (without its speed fixes under --lever stock_rasa)

    nodes = NodeTimer()
    with tempfile.TemporaryDirectory(prefix="bench-components-") as tmp:
        agent = await load(Path(tmp))
        await replay(agent, 20, args.seed + 99, "warm")  # the first calls build TensorFlow's graphs
        sqlite: Timings = defaultdict(list)
        nodes.sink = sqlite
        instrument(agent, sqlite)
        wall = await replay(agent, args.messages, args.seed, secrets.token_hex(3))
        print_table(f"SQLite tracker store (as configured): {args.messages} messages, {wall * 1000 / args.messages:.1f} ms per message",
                    table(sqlite, args.messages))

        # The same conversations again with Rasa's in-memory tracker store.
        for obj, name in ((agent, "handle_message"), (agent.processor, "parse_message"), (agent.processor, "_predict_next_with_tracker"),
                          (agent.processor, "_run_action"), (agent.processor.nlg, "generate")):
            obj.__dict__.pop(name, None)  # drop the wrappers bound to the first sink
        agent.tracker_store = agent.processor.tracker_store = InMemoryTrackerStore(agent.domain)
        memory: Timings = defaultdict(list)
        nodes.sink = memory
        instrument(agent, memory)
        wall_memory = await replay(agent, args.messages, args.seed, secrets.token_hex(3))
        print_table(f"In-memory tracker store: same conversations, {wall_memory * 1000 / args.messages:.1f} ms per message",
                    table(memory, args.messages))
        # Audit rows are written in worker threads after each crisis turn: let them finish while their database exists.
        await asyncio.get_running_loop().shutdown_default_executor()
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--lever", action="append", default=[], choices=sorted(LEVERS),
                        help="apply a proposed change first (bench/levers/sitecustomize.py); repeatable")
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print(f"error: {MODEL} is missing: run `make train`", file=sys.stderr)
        return 2
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
