"""SQLAlchemy models: helplines (seeded from data/resources), and the crisis audit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Region(Base):
    __tablename__ = "regions"

    code = Column(String(8), primary_key=True)
    name = Column(String(80), nullable=False)
    emergency = Column(String(32), nullable=False)


class CrisisResource(Base):
    __tablename__ = "crisis_resources"

    id = Column(String(64), primary_key=True)
    region = Column(String(8), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    name = Column(String(160), nullable=False)
    # comma-separated needs ("crisis,self_harm"): a tiny closed vocabulary, not worth a join table
    serves = Column(String(200), nullable=False, default="")
    phone = Column(String(40))
    sms = Column(String(40))
    sms_keyword = Column(String(40))
    chat_url = Column(String(300))
    url = Column(String(300))
    hours = Column(String(80))
    source_url = Column(String(300), nullable=False)
    checked: date | None = Column(Date)

    @property
    def needs(self) -> list[str]:
        return [s for s in (self.serves or "").split(",") if s]


class CrisisEvent(Base):
    """One crisis hand-off. Never the message text; the sender only as a salted hash."""

    __tablename__ = "crisis_events"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at: datetime = Column(DateTime, nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    tenant = Column(String(64))
    region = Column(String(8), nullable=False)
    category = Column(String(32), nullable=False)
    layer = Column(String(16), nullable=False)  # "detector" or "classifier"
    sender_hash = Column(String(64), nullable=False)


class Meta(Base):
    """Small key/value facts about the database itself (e.g. which resources file was seeded)."""

    __tablename__ = "meta"

    key = Column(String(64), primary_key=True)
    value = Column(Text, nullable=False)
