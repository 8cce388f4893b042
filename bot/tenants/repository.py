"""Tenants and their anonymous daily counters in the database. The caller owns the transaction."""

from __future__ import annotations

import builtins
from datetime import date, datetime, timezone
from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.storage.models import Tenant, TenantDailyCount
from bot.tenants.model import TenantInfo

COUNT_KINDS = ("conversation", "topic", "crisis")


def _info(row: Tenant) -> TenantInfo:
    return TenantInfo(
        slug=row.slug,
        name=row.name,
        display_name=row.display_name,
        eap_phone=row.eap_phone,
        eap_hours=row.eap_hours or "",
        portal_url=row.portal_url or "",
        allowed_origins=tuple(row.allowed_origins or ()),
        extra_resources=tuple(row.extra_resources or ()),
        primary_colour=row.primary_colour,
        accent_colour=row.accent_colour,
        region=row.region or "",
        region_fixed=bool(row.region_fixed) and bool(row.region),
    )


class TenantRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, slug: str) -> Optional[TenantInfo]:
        row = self.session.get(Tenant, slug)
        return _info(row) if row else None

    def list(self) -> list[TenantInfo]:
        return [_info(r) for r in self.session.scalars(select(Tenant).order_by(Tenant.slug))]

    def save(self, tenant: TenantInfo) -> bool:
        """Insert or update; True when the tenant is new."""
        row = self.session.get(Tenant, tenant.slug)
        created = row is None
        if created:
            row = Tenant(slug=tenant.slug, created_at=datetime.now(timezone.utc).replace(tzinfo=None))
            self.session.add(row)
        row.name = tenant.name
        row.display_name = tenant.display_name
        row.eap_phone = tenant.eap_phone
        row.eap_hours = tenant.eap_hours
        row.portal_url = tenant.portal_url
        row.allowed_origins = list(tenant.allowed_origins)
        row.extra_resources = [dict(r) for r in tenant.extra_resources]
        row.primary_colour = tenant.primary_colour
        row.accent_colour = tenant.accent_colour
        row.region = tenant.region or None
        row.region_fixed = tenant.region_fixed
        return created

    def remove(self, slug: str) -> bool:
        """Delete the tenant and its counters; False when there was no such tenant."""
        row = self.session.get(Tenant, slug)
        if row is None:
            return False
        self.session.delete(row)
        self.session.execute(delete(TenantDailyCount).where(TenantDailyCount.tenant == slug))
        return True

    def count(self, tenant: str, kind: str, topic: str = "", day: Optional[date] = None) -> None:
        """Add one to a daily counter (created on first use)."""
        if kind not in COUNT_KINDS:
            raise ValueError(f"unknown counter kind {kind!r}")
        day = day or datetime.now(timezone.utc).date()
        key = dict(day=day, tenant=tenant, kind=kind, topic=topic[:64])
        dialect = self.session.get_bind().dialect.name
        if dialect in ("sqlite", "postgresql"):
            # One atomic upsert: several Rasa instances may count the same row at once.
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert
            stmt = insert(TenantDailyCount).values(**key, count=1)
            stmt = stmt.on_conflict_do_update(
                index_elements=["day", "tenant", "kind", "topic"],
                set_={"count": TenantDailyCount.count + 1},
            )
            self.session.execute(stmt)
            return
        row = self.session.scalars(select(TenantDailyCount).filter_by(**key)).first()
        if row is None:
            self.session.add(TenantDailyCount(**key, count=1))
        else:
            row.count += 1

    # builtins.list: inside this class, `list` is the method above.
    def counts(self, tenant: str, since: date) -> builtins.list[TenantDailyCount]:
        return list(
            self.session.scalars(
                select(TenantDailyCount)
                .where(TenantDailyCount.tenant == tenant, TenantDailyCount.day >= since)
                .order_by(TenantDailyCount.day, TenantDailyCount.kind, TenantDailyCount.topic)
            )
        )
