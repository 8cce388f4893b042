"""SQLAlchemy models: the crisis audit, EAP tenants and their counters, platform deliveries.

Helplines are not here: ``data/resources/helplines.yml`` is their one source,
read by every process (a database copy was a second place to keep fresh).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import declarative_base

# Typed as Any: SQLAlchemy 1.4's declarative base is built at run time, so a type
# checker without its plugin cannot see it as a class.
Base: Any = declarative_base()


class CrisisEvent(Base):
    """One crisis hand-off. Never the message text; the sender only as a salted hash."""

    __tablename__ = "crisis_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at: datetime = Column(DateTime, nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    tenant = Column(String(64))
    region = Column(String(8), nullable=False)
    category = Column(String(32), nullable=False)
    layer = Column(String(16), nullable=False)  # "model", "rule" or "context" (earlier turns), or "check_in" (a yes to the check-in)
    sender_hash = Column(String(64), nullable=False)


class Delivery(Base):
    """A messaging platform's delivery already taken (bot.channels.replay): a resend is not answered twice."""

    __tablename__ = "platform_deliveries"

    key = Column(String(64), primary_key=True)  # SHA-256 of channel and the platform's message id
    seen_at: datetime = Column(DateTime, nullable=False, index=True)


class Tenant(Base):
    """An organisation whose EAP portal embeds the bot (its staff get its EAP line)."""

    __tablename__ = "tenants"

    slug = Column(String(64), primary_key=True)
    name = Column(String(160), nullable=False)
    display_name = Column(String(160), nullable=False)
    eap_phone = Column(String(40), nullable=False)
    eap_hours = Column(String(80), nullable=False, default="")
    portal_url = Column(String(300), nullable=False, default="")
    allowed_origins = Column(JSON, nullable=False, default=list)
    # [{"name": ..., "phone": ..., "url": ..., "hours": ...}], shown after the EAP line
    extra_resources = Column(JSON, nullable=False, default=list)
    primary_colour = Column(String(7), nullable=False, default="#1f5f8b")
    accent_colour = Column(String(7), nullable=False, default="#f2f6f9")
    # Added after the first release: nullable or with a server default, so bot.storage.seed can add
    # them to an existing table. region_fixed: every visitor of this organisation is in `region`.
    region = Column(String(2), nullable=True)
    region_fixed = Column(Boolean, nullable=False, default=False, server_default=false())
    created_at: datetime = Column(DateTime, nullable=False)


class TenantDailyCount(Base):
    """Per-organisation counters by day: no text, no sender, nothing per person.

    ``kind`` is "conversation", "topic" (with the topic id) or "crisis"; one row
    per (day, tenant, kind, topic) holding a count, so the table stays small and
    cannot be joined back to a conversation.
    """

    __tablename__ = "tenant_daily_counts"
    __table_args__ = (UniqueConstraint("day", "tenant", "kind", "topic", name="uq_tenant_daily"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    day: date = Column(Date, nullable=False)
    tenant = Column(String(64), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    topic = Column(String(64), nullable=False, default="")
    count = Column(Integer, nullable=False, default=0)
