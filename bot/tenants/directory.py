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
from typing import Any, Optional

from sqlalchemy.exc import SQLAlchemyError

from bot.tenants.model import TenantInfo

logger = logging.getLogger(__name__)

TTL_SECONDS = 30.0

_lock = threading.Lock()
_cache: dict[str, tuple[float, dict[str, TenantInfo]]] = {}
_upgraded: set[str] = set()


def _upgrade_once(url: Optional[str]) -> None:
    """A database from before a column was added (tenants.region...) gets it on this process's first look-up.

    ``python -m bot.storage init`` and every tenants CLI command do the same;
    this keeps a server whose code was updated first from failing every
    tenant look-up meanwhile. A failure is logged; the look-up then says why.
    """
    key = url or ""
    if key in _upgraded:
        return
    from bot.storage.seed import add_missing_columns
    from bot.storage.session import get_engine

    try:
        add_missing_columns(get_engine(url))
    except Exception as exc:  # noqa: BLE001 - e.g. no ALTER right: the look-up below reports the real failure
        logger.error("tenant directory: the tenants table could not be brought up to date (%s)", type(exc).__name__)
    _upgraded.add(key)


def _load(url: Optional[str]) -> dict[str, TenantInfo]:
    from bot.storage.session import session_factory
    from bot.tenants.repository import TenantRepository

    _upgrade_once(url)
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


def fixed_region_metadata(slug: Optional[str]) -> dict[str, Any]:
    """What a verified tenant's record adds to a message: ``{"region", "region_fixed": True}`` or nothing.

    Only for a slug a channel has verified from a signed token; a look-up
    failure means nothing is added (the visitor's own region then counts).
    """
    tenant = find_tenant(slug) if slug else None
    return tenant.fixed_region_metadata() if tenant else {}


def allowed_origins(url: Optional[str] = None) -> frozenset[str]:
    """Every tenant portal's origins: browsers there may open the chat."""
    return frozenset(o for t in all_tenants(url).values() for o in t.allowed_origins)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _upgraded.clear()
