"""Fixes to Rasa 3.6's per-message hot path, applied by every Rasa process we start.

Each was found by profiling the server under load (docs/performance.md), and
each changes how fast a reply is computed, never what it is:

- **Action-server responses** are checked with ``jsonschema.validate``,
  which re-checks the schema itself on every call: about 80 ms of CPU per
  follow-up on this machine, during which the event loop serves nobody else.
  Here the validator is built once (about 0.2 ms per check). An invalid
  response still goes through Rasa's own method, so its error is unchanged.
- **The model's graph** is run by dask for every message and every
  prediction (two to three times per message), which works out the
  dependency order afresh each time and formats the whole input (tracker
  included) into a debug message that is thrown away. ``SequentialGraphRunner``
  works out each target set's order once and then calls the nodes in it:
  the same nodes, with the same inputs, in a dependency order.

``apply()`` also installs the crisis model's conversation memory
(``bot.understanding.memory``) and the filter that drops entities only the
project's components may set from slash commands (``bot.understanding.protected``):
the changes here to what a reply is, each kept in its own module. And it
hooks ``bot.runtime.bookkeeping`` in after each action's messages are sent (crisis
audit rows, tenant counters), so rendering (``bot.conversation.nlg``) writes nothing.

Both ``apply()`` and ``balance_workers()`` first check that Rasa, rasa-sdk
and Sanic are the versions these were tested with (``bot.core.versions``).

``apply()`` is idempotent; ``bot.runtime.rasa_cli`` calls it before Rasa's command
line starts, and tests and benchmarks that load an agent in process call it
too, so they run what the server runs.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphNode, GraphNodeHook, GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.storage import ModelStorage

logger = logging.getLogger(__name__)
_applied = False

# (node name, node, names of what it needs in its schema's order)
_Step = Tuple[str, GraphNode, Tuple[str, ...]]


class SequentialGraphRunner(DaskGraphRunner):
    """Runs the predict graph's nodes one after another in a cached dependency order."""

    def __init__(
        self,
        graph_schema: GraphSchema,
        model_storage: ModelStorage,
        execution_context: ExecutionContext,
        hooks: Optional[List[GraphNodeHook]] = None,
    ) -> None:
        super().__init__(graph_schema, model_storage, execution_context, hooks)
        self._plans: Dict[Tuple[str, ...], List[_Step]] = {}

    def _plan(self, targets: Tuple[str, ...]) -> List[_Step]:
        plan = self._plans.get(targets)
        if plan is not None:
            return plan
        nodes = self._graph_schema.minimal_graph_schema(list(targets)).nodes
        order: List[_Step] = []
        state: Dict[str, int] = {}  # 1: being visited, 2: done

        def visit(name: str) -> None:
            if name not in nodes or state.get(name) == 2:
                return  # an input (e.g. __message__) or already placed
            if state.get(name) == 1:
                raise GraphRunError(f"The graph has a cycle through '{name}'.")
            state[name] = 1
            needs = tuple(nodes[name].needs.values())
            for dependency in needs:
                visit(dependency)
            state[name] = 2
            order.append((name, self._instantiated_nodes[name], needs))

        for target in targets:
            visit(target)
        self._plans[targets] = order
        return order

    def run(self, inputs: Optional[Dict[str, Any]] = None, targets: Optional[List[str]] = None) -> Dict[str, Any]:
        run_targets = tuple(targets if targets else self._graph_schema.target_names)
        plan = self._plan(run_targets)
        results: Dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and value in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of the input names "
                    f"passed to the `run` method are the same as node names in the graph schema."
                )
            results[name] = (name, value)  # what dask hands a node for an input key
        try:
            for name, node, needs in plan:
                # A name nothing provides is passed as the bare name, as dask does; the node reports it.
                results[name] = node(*(results.get(dependency, dependency) for dependency in needs))
        except RuntimeError as exc:
            raise GraphRunError("Error running runner.") from exc
        return {name: value for name, value in (results[target] for target in run_targets if target in results)}


def _cached_action_validator() -> None:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator = validators.validator_for(schema)(schema)
    stock = RemoteAction._validate_action_result

    def validate(self: RemoteAction, result: Dict[str, Any]) -> bool:
        if validator.is_valid(result):
            return True
        return stock(self, result)  # raises with Rasa's own message

    RemoteAction._validate_action_result = validate  # type: ignore[method-assign]


def balance_workers() -> None:
    """Several Sanic workers: each listens on a socket of its own (SO_REUSEPORT), so the kernel spreads connections.

    Stock Sanic 21.12 binds one socket in the parent and every worker accepts
    from it. An event loop accepts every pending connection at once, so a
    burst of new connections (a reconnecting crowd, a load test) lands on
    whichever worker woke first, and kept-alive connections stay there: on
    two cores one worker was measured saturated while the other idled
    (docs/performance.md). With a listening socket per worker, the kernel
    assigns each new connection to one of them by its address hash.

    The parent still checks that the port is free, as a plain bind would, and
    holds it (bound, not listening) while the workers run: a second bot
    started on the same port fails instead of silently sharing the traffic.
    """
    import socket

    from sanic.server import runners

    from bot.core.versions import require_tested

    require_tested()

    if getattr(runners.serve, "_balanced", False):
        return
    stock_serve = runners.serve
    address: Dict[str, Any] = {}

    def reserve(host: str, port: int, *, backlog: int = 100) -> socket.socket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family) as probe:  # EADDRINUSE if anything listens there
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        held = socket.socket(family)
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        held.bind((host, port))
        address.update(host=host, port=port)
        return held

    def serve(**settings: Any) -> Any:
        if address and settings.get("sock") is not None and not settings.get("unix"):
            settings["sock"].close()  # this worker's copy of the parent's placeholder
            settings.update(sock=None, host=address["host"], port=address["port"], reuse_port=True)
        return stock_serve(**settings)

    serve._balanced = True  # type: ignore[attr-defined]
    runners.bind_socket = reserve  # type: ignore[assignment]
    runners.serve = serve  # type: ignore[assignment]


def asyncio_event_loop() -> None:
    """The Rasa server runs on asyncio's own event loop, not uvloop (Rasa's default).

    Under a surge of new connections, uvloop stopped accepting them while it
    served the kept-alive ones: the kernel's accept queue filled (1,024 per
    worker) and those requests waited 17-30 s, where no shedding could answer
    them. A bare Sanic app with a handler of a few milliseconds of CPU shows
    the same at 600 requests/s: with uvloop 2,101 of 5,976 requests took over
    a second (26 s at worst), with asyncio none did (0.5 s at worst)
    (docs/performance.md).
    """
    import rasa.core.run

    from bot.core.versions import require_tested

    require_tested()
    stock = rasa.core.run.configure_app  # serve_application builds the app with it
    if getattr(stock, "_asyncio", False):
        return

    @functools.wraps(stock)
    def configure_app(*args: Any, **kwargs: Any) -> Any:
        kwargs["use_uvloop"] = False
        return stock(*args, **kwargs)

    configure_app._asyncio = True  # type: ignore[attr-defined]
    rasa.core.run.configure_app = configure_app


def _bookkeeping_after_actions() -> None:
    """After Rasa sends an action's messages, record what they were (``bot.runtime.bookkeeping``).

    ``execute_side_effects`` is where Rasa sends an action's replies, with the
    events already on the tracker and the output channel at hand: the same
    channel name the renderer was given. Bookkeeping runs even when sending
    failed (the hand-off was still made), and never raises into the turn.
    """
    from rasa.core.processor import MessageProcessor

    from bot.runtime import bookkeeping

    stock = MessageProcessor.execute_side_effects
    if getattr(stock, "_bookkeeping", False):
        return

    async def execute_side_effects(self: MessageProcessor, events: List[Any], tracker: Any, output_channel: Any) -> None:
        try:
            await stock(self, events, tracker, output_channel)
        finally:
            try:
                bookkeeping.after_action(events, tracker, output_channel.name())
            except Exception:  # noqa: BLE001 - a reply is never lost to bookkeeping
                logger.exception("bookkeeping after an action failed")

    execute_side_effects._bookkeeping = True  # type: ignore[attr-defined]
    MessageProcessor.execute_side_effects = execute_side_effects  # type: ignore[method-assign]


def _expected_warnings() -> None:
    """The FAQ topics are chosen by bot.understanding.intent_component, not by a ResponseSelector.

    Rasa warns on every training that the retrieval data has no ResponseSelector
    to train; here that is by design (one model for intents and topics).
    """
    import rasa.utils.common

    rasa.utils.common.EXPECTED_WARNINGS.append((UserWarning, "your NLU configuration does not include a response selector"))


def apply() -> None:
    """Install the fixes in this process (before the agent loads its model); once, however often called."""
    global _applied
    if _applied:
        return
    from bot.core.versions import require_tested

    require_tested()  # every patch below was checked against these versions only
    from bot.understanding import memory, protected

    memory.install()
    protected.install()
    _bookkeeping_after_actions()
    _expected_warnings()
    hot_path()
    _applied = True


def hot_path() -> None:
    """The speed fixes alone (``make bench ARGS="--lever stock_rasa"`` measures without them)."""
    import rasa.core.processor

    _cached_action_validator()
    # The processor names the runner class when it loads a model.
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner  # type: ignore[misc]
