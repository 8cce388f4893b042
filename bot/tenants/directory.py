"""Tenant look-ups for the servers' hot paths, cached briefly.

Every message of a portal visitor needs its tenant (NLG, origin checks); a
30-second cache keeps that off the database while a CLI change still reaches
running servers within half a minute. A database failure returns the last
known answer (or none) rather than breaking a conversation: the tenant only
adds lines, the public behaviour is always complete without it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.tenants.model import TenantInfo

logger = logging.getLogger(__name__)

TTL_SECONDS = 30.0

_lock = threading.Lock()
_cache: dict[str, tuple[float, dict[str, TenantInfo]]] = {}


def _load(url: Optional[str]) -> dict[str, TenantInfo]:
    from bot.storage.session import session_factory
    from bot.tenants.repository import TenantRepository

    with session_factory(url).begin() as session:
        return {t.slug: t for t in TenantRepository(session).list()}


def all_tenants(url: Optional[str] = None) -> dict[str, TenantInfo]:
    key = url or ""
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached and now - cached[0] < TTL_SECONDS:
            return cached[1]
    try:
        tenants = _load(url)
    except SQLAlchemyError as exc:
        logger.error("tenant directory unavailable (%s); using the last known tenants", type(exc).__name__)
        return cached[1] if cached else {}
    with _lock:
        _cache[key] = (now, tenants)
    return tenants


def get_tenant(slug: Optional[str], url: Optional[str] = None) -> Optional[TenantInfo]:
    if not slug:
        return None
    return all_tenants(url).get(slug)


def find_tenant(slug: Optional[str]) -> Optional[TenantInfo]:
    """``get_tenant`` inside a turn: any failure is logged and means "no organisation", never a broken reply."""
    try:
        return get_tenant(slug)
    except Exception:  # noqa: BLE001 - the public reply is complete without the tenant
        logger.exception("tenant look-up failed")
        return None


def allowed_origins(url: Optional[str] = None) -> frozenset[str]:
    """Every tenant portal's origins: browsers there may open the chat."""
    return frozenset(o for t in all_tenants(url).values() for o in t.allowed_origins)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
