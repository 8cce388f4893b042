"""Load shedding with a crisis lane: when the server is full, everyone hears back fast, and a crisis still gets the hand-off.

A Rasa process answers on one event loop. Past its capacity every message
waits behind all the others, crisis messages included, until replies take
many seconds. Here a process is full when it works on SHED_MAX_IN_FLIGHT
messages at once (default 24), or when its event loop runs SHED_MAX_WAIT_MS
(default 100) late: a timer due every 20 ms measures how late it runs, as
one stall in progress and as a smoothed lag over the last ten or so ticks.
Much of a turn runs without yielding, so waiting requests pile up in the
loop's queue, where no counter sees them, and every await of a crisis turn
waits behind them too: the lag is what a crisis reply would wait for at
each step. Beyond that, and for a sender or an address over its rate, a message
is answered at once with a friendly "busy, try again in a
moment" that also says where to get help now (REST: 429 with Retry-After;
the widget: a ``message_error`` it shows) — unless it signals a crisis:

- the crisis lane: a message that an explicit-statement rule matches, that
  the crisis model's n-gram screen finds concerning, or that the full crisis
  model finds concerning, is always admitted, whatever the load or the rates.
  The rules (microseconds) and the screen (about 0.3 ms, no sentence encoder;
  its threshold chosen on the dev set for recall) run on every shed
  candidate; the full model costs milliseconds, so it reads what the screen
  let go only while the loop is not late (a rate limit, not saturation, is
  refusing) and within a budget (``MODEL_CHECKS_PER_SECOND`` per process).
  Under overload those checks were most of a process's work (the profile in
  docs/performance.md) and, spread over thousands of shed messages a
  second, a lottery for the rare crisis message the screen misses. A
  message all of them miss still hears where to get help, in the busy
  reply itself.
- the rates: a sender may send ``SENDER_RATE`` messages a second (bursts of
  ``SENDER_BURST``), an address ``ADDRESS_RATE`` (bursts of ``ADDRESS_BURST``);
  far above any person's typing. Loopback callers (the local proxy, the
  benchmark, tests) are not limited per address: nginx limits real clients
  per address in front (deploy/nginx.conf) and marks those over its limit
  with ``X-Over-Limit``, which is treated like an app limit here, so nginx's
  limits never hold back a crisis reply either.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from bot.channels.guard import RateLimiter
from bot.core import wiring

SENDER_RATE, SENDER_BURST = 10.0, 30.0
ADDRESS_RATE, ADDRESS_BURST = 30.0, 90.0
MODEL_CHECKS_PER_SECOND = 10.0
RETRY_AFTER_SECONDS = 2
# Weight of the newest tick in the smoothed loop lag: about the last ten ticks (0.2 s) count.
LAG_SMOOTHING = 0.2
OVER_LIMIT_HEADER = "X-Over-Limit"


@dataclass(frozen=True)
class Refusal:
    """Why a message was not admitted: ``busy`` (the server is full) or ``rate`` (a sender or address over its rate)."""

    reason: str
    retry_after: int

    @property
    def status(self) -> int:
        # 429 for both: a clear "try again in a moment", never a 5xx, which
        # clients and proxies read as the server failing (issue: no 5xx under overload).
        return 429


@functools.lru_cache(maxsize=64)
def busy_text(region: Optional[str] = None) -> str:
    """The busy reply, with the region's first crisis line: a person in crisis the checks missed still gets a number."""
    help_now = "contact your local emergency number or a crisis line"
    try:
        from bot.conversation.helplines import emergency_text, load_catalogue, plan_for, short_helpline
        from bot.core.settings import get_settings

        found = load_catalogue().region(region or get_settings().default_region)
        lines = plan_for(found, "suicide")
        emergency = emergency_text(found, "plain")
        help_now = f"contact {short_helpline(lines[0])}, or {emergency} in an emergency" if lines else f"call {emergency}"
    except Exception:  # noqa: BLE001 - the busy reply must never fail; the generic words still guide
        pass
    return (
        "A lot of people are talking to me right now, so I could not answer that. "
        f"Please send it again in a moment. If you need help now, {help_now}."
    )


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


class Admission:
    """One process's door: how many messages are in, how long the loop has been busy, and who may come in now."""

    TICK_SECONDS = 0.02

    def __init__(self, max_in_flight: int, max_wait_seconds: float = 0.5) -> None:
        self.max_in_flight = max_in_flight
        self.max_wait_seconds = max_wait_seconds
        self.in_flight = 0
        self.last_tick: Optional[float] = None
        self.lag = 0.0  # smoothed lateness of the ticker, seconds
        # A timer that re-arms itself, not a task: a loop closed with a timer pending says
        # nothing, where a pending task is reported as destroyed (servers stopped in tests).
        self._ticker: Optional[asyncio.TimerHandle] = None
        self._ticker_loop: Optional[asyncio.AbstractEventLoop] = None
        self.senders = RateLimiter(SENDER_RATE, SENDER_BURST)
        self.addresses = RateLimiter(ADDRESS_RATE, ADDRESS_BURST)
        self.model_budget = RateLimiter(MODEL_CHECKS_PER_SECOND, MODEL_CHECKS_PER_SECOND)

    def crisis_signal(self, text: str, second_chance: bool = True) -> bool:
        """The crisis lane: the rules and the n-gram screen on every message, the full model within its budget.

        The screen (``CrisisModel.screens_in``, about 0.3 ms, no encoder) is
        tuned to miss almost no crisis message; the full model reads what it
        let go only while its budget lasts, as a second chance.
        """
        from bot.understanding.crisis_rules import get_rules

        if get_rules().match(text) is not None:
            return True
        model = wiring.peek("crisis_model")
        if model is None:
            return False
        if model.screens_in(text):
            return True
        if not second_chance or not self.model_budget.allow("model"):
            return False
        return model.most_concerning([text]) is not None

    def _tick(self) -> None:
        loop = self._ticker_loop
        if loop is None or loop.is_closed():
            return
        now = loop.time()
        if self.last_tick is not None:
            # How late this tick ran: the time a callback now waits in the loop's queue.
            late = max(0.0, now - self.last_tick - self.TICK_SECONDS)
            self.lag += LAG_SMOOTHING * (late - self.lag)
        self.last_tick = now
        self._ticker = loop.call_later(self.TICK_SECONDS, self._tick)

    def busy_for(self) -> float:
        """Seconds the event loop has gone without a break (0 when it is idle); starts the ticker on first use."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return 0.0
        if self._ticker is None or self._ticker.cancelled() or self._ticker_loop is not loop:
            # First use, or a new event loop (a server restarted in the same process, tests): tick on this one.
            # The time since the old loop's last tick, and its lag, say nothing about this loop.
            self._ticker_loop = loop
            self.last_tick, self.lag = None, 0.0
            self._tick()
        return max(0.0, loop.time() - (self.last_tick or loop.time()) - self.TICK_SECONDS)

    def refusal(self, text: str, sender: str, address: str, over_proxy_limit: bool = False) -> Optional[Refusal]:
        """None to admit the message; else why not. Crisis messages are always admitted."""
        sender_ok = self.senders.allow(sender)
        address_ok = is_loopback(address) or self.addresses.allow(address)
        late = max(self.busy_for(), self.lag) >= self.max_wait_seconds
        full = late or self.in_flight >= self.max_in_flight
        if sender_ok and address_ok and not over_proxy_limit and not full:
            return None
        # A loop that is already late has no milliseconds to spare for the full model: under
        # overload its checks were most of the load (docs/performance.md); the screen still reads.
        if self.crisis_signal(text, second_chance=not late):
            return None
        if full:
            return Refusal("busy", RETRY_AFTER_SECONDS)
        retry = self.senders.retry_after(sender) if not sender_ok else self.addresses.retry_after(address)
        return Refusal("rate", max(RETRY_AFTER_SECONDS, retry if not over_proxy_limit else RETRY_AFTER_SECONDS))

    @contextlib.contextmanager
    def admitted(self) -> Iterator[None]:
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1


def admission() -> Admission:
    """The process's one Admission (bot.core.wiring), sized by SHED_MAX_IN_FLIGHT and SHED_MAX_WAIT_MS."""

    def build() -> Admission:
        from bot.core.settings import get_settings

        settings = get_settings()
        return Admission(settings.shed_max_in_flight, settings.shed_max_wait_ms / 1000)

    return wiring.get("admission", build)


def over_proxy_limit(headers: Any) -> bool:
    """nginx forwards a request over its rate with ``X-Over-Limit: 1`` (deploy/nginx.conf)."""
    return str(headers.get(OVER_LIMIT_HEADER) or "").strip() == "1"
