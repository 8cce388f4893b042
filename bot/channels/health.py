"""Readiness for load balancers and orchestrators: ``GET /webhooks/health/ready``.

Rasa's ``/`` answers 200 as soon as the HTTP server runs, even with no model
loaded or with its tracker store failing (its fail-safe wrapper then keeps
conversations in memory only). This check answers 200 only when the model is
loaded and the shared stores answer, and 503 otherwise, naming which part is
down, so a proxy stops sending new conversations to an instance that would
lose them. ``GET /webhooks/health/`` (liveness) only says the process runs.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

CHECK_TIMEOUT_SECONDS = 3.0


def _tracker_store_ok(agent: Any) -> str:
    from bot.storage.tracker_store import agent_tracker_store

    store = agent_tracker_store(agent)
    ping = getattr(store, "ping", None)
    if store is None:
        return "missing"
    if ping is None:
        return "ok"  # a store without a health check (e.g. in memory)
    return "ok" if ping() else "down"


def _lock_store_ok(agent: Any) -> str:
    red = getattr(getattr(agent, "lock_store", None), "red", None)
    if red is None:
        return "ok"  # in-process locks
    try:
        red.ping()
    except Exception:  # noqa: BLE001 - any Redis failure means "not ready"
        return "down"
    return "ok"


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("health_checks", __name__)

        @bp.route("/", methods=["GET"])
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "alive"})

        @bp.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            checks = {"model": "ok" if agent is not None and agent.is_ready() else "loading"}
            if agent is not None:
                loop = asyncio.get_running_loop()
                try:
                    tracker, lock = await asyncio.wait_for(
                        asyncio.gather(
                            loop.run_in_executor(None, _tracker_store_ok, agent),
                            loop.run_in_executor(None, _lock_store_ok, agent),
                        ),
                        CHECK_TIMEOUT_SECONDS,
                    )
                except asyncio.TimeoutError:
                    tracker = lock = "timeout"
                checks.update(tracker_store=tracker, lock_store=lock)
            ok = all(v == "ok" for v in checks.values())
            return response.json({"status": "ready" if ok else "not ready", **checks}, status=200 if ok else 503)

        return bp
