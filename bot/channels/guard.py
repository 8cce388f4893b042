"""Limits every channel applies before it trusts a request: size, nesting, metadata, rate.

- **Body size**: Sanic itself refuses a body over ``REQUEST_MAX_BYTES`` with
  a 413 before reading it (``bot.runtime.rasa_cli`` sets ``SANIC_REQUEST_MAX_SIZE``;
  Sanic's own default is 100 MB).
- **Nesting**: Python's JSON parser recurses, and a body nested a few
  thousand levels deep ends in a RecursionError, which used to surface as
  a 503 ("Sign-in cannot be checked") on REST and as an unhandled task error,
  with no reply at all, on socket.io. :func:`json_depth` counts the nesting
  without parsing, so such a body is a 400 with a clear reason.
- **Metadata**: only the fields listed in :data:`METADATA_FIELDS` are kept
  (and stored with the conversation); anything else a client sends is
  dropped, and metadata over ``MAX_METADATA_BYTES`` is refused.
- **Rate**: :class:`RateLimiter`, a token bucket per key (a sender, an
  address) inside one process. A crisis reply is never held back by it: the
  channels ask it only for messages that carry no crisis signal.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from itertools import accumulate
from typing import Any, Dict, Mapping, Optional, Union

# Sanic's limit for any request body (REST bodies are at most 256 KB; socket.io
# long-polling batches and platform deliveries are far smaller).
REQUEST_MAX_BYTES = 320 * 1024
# No message, update or event of any channel nests deeper than this.
MAX_JSON_DEPTH = 32
# Metadata a client may send, as serialised JSON.
MAX_METADATA_BYTES = 2048
# field -> longest value kept. region ("GB") and locale ("en-GB") choose the
# helplines (bot/understanding/context.py). Nothing else a client sends is kept:
# ``tenant`` and ``region_fixed`` (the organisation's region outranks what a
# visitor says) are set by the channels only, from a verified tenant token and
# that tenant's record (bot.tenants.directory.fixed_region_metadata).
METADATA_FIELDS: Dict[str, int] = {"region": 8, "locale": 35}

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(raw: Union[bytes, str]) -> int:
    """How deeply ``raw`` nests arrays and objects, found without parsing it.

    Escapes go first, then strings (brackets inside them do not count), then
    only the brackets are looked at: each step is a single pass done in C, so
    the cost stays linear whatever the body's shape (a regular expression
    for JSON strings that backtracks would not: a body of ``\\"`` pairs made
    it quadratic).
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    brackets = _STRING.sub(b"", _ESCAPE.sub(b"", data)).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(0, max(accumulate(map(_STEP.__getitem__, brackets))))


def too_deep(raw: Union[bytes, str], limit: int = MAX_JSON_DEPTH) -> bool:
    return json_depth(raw) > limit


def allowed_metadata(metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """Only the allow-listed fields, as bounded strings: what is stored with a message."""
    kept: Dict[str, Any] = {}
    for field, longest in METADATA_FIELDS.items():
        value = (metadata or {}).get(field)
        if isinstance(value, str) and value.strip() and len(value.strip()) <= longest:
            kept[field] = value.strip()
    return kept


class RateLimiter:
    """A token bucket per key: ``rate`` requests per second, bursts up to ``burst``.

    In the process's memory, for as many keys as ``max_keys`` (the least
    recently seen are forgotten first), so a flood of new keys cannot grow it
    without bound. Each server process limits on its own; nginx limits in
    front of all of them (deploy/nginx.conf).
    """

    def __init__(self, rate: float, burst: float, max_keys: int = 50_000) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: Optional[float] = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until ``key`` has a token again (at least 1)."""
        with self._lock:
            tokens, _ = self._buckets.get(key, (self.burst, 0.0))
        return max(1, int((1.0 - tokens) / self.rate + 0.999)) if self.rate > 0 else 60


def client_address(request: Any) -> str:
    """The caller's address: the peer, or behind a proxy on a private address, the last X-Forwarded-For hop.

    The last hop is the one the proxy itself added (deploy/nginx.conf, an
    ingress controller); earlier entries are whatever the client wrote. A
    peer on a public address is never taken at its word.
    """
    import ipaddress

    peer = str(getattr(request, "ip", "") or "unknown")
    forwarded = (request.headers.get("X-Forwarded-For") or "").split(",")[-1].strip()
    try:
        behind_proxy = ipaddress.ip_address(peer).is_private
        ipaddress.ip_address(forwarded)
    except ValueError:
        return peer
    return forwarded if behind_proxy else peer
