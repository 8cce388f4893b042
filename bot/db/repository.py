"""Reading and replacing the helplines in the database."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db.models import CrisisResource, Meta, Region
from bot.resources import INTERNATIONAL, Catalogue, Helpline, RegionInfo


class HelplineRepository:
    """Helplines by region. The caller owns the session and its transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def region(self, code: Optional[str]) -> Optional[RegionInfo]:
        """The region's helplines, the international fallback for an unknown region, None if not seeded."""
        row = self.session.get(Region, (code or "").upper()) or self.session.get(Region, INTERNATIONAL)
        if row is None:
            return None
        resources = self.session.scalars(
            select(CrisisResource).where(CrisisResource.region == row.code).order_by(CrisisResource.position)
        ).all()
        return RegionInfo(
            code=row.code,
            name=row.name,
            emergency=row.emergency,
            helplines=tuple(
                Helpline(
                    id=r.id, name=r.name, serves=tuple(r.needs), source_url=r.source_url, phone=r.phone,
                    sms=r.sms, sms_keyword=r.sms_keyword, chat_url=r.chat_url, url=r.url, hours=r.hours, checked=r.checked,
                )
                for r in resources
            ),
        )

    def replace_all(self, catalogue: Catalogue) -> int:
        """Make the tables hold exactly the catalogue (idempotent); returns the number of helplines."""
        self.session.execute(delete(CrisisResource))
        self.session.execute(delete(Region))
        count = 0
        for code, region in catalogue.regions.items():
            self.session.add(Region(code=code, name=region.name, emergency=region.emergency))
            for position, h in enumerate(region.helplines):
                self.session.add(
                    CrisisResource(
                        id=h.id, region=code, position=position, name=h.name, serves=",".join(h.serves),
                        phone=h.phone, sms=h.sms, sms_keyword=h.sms_keyword, chat_url=h.chat_url, url=h.url,
                        hours=h.hours, source_url=h.source_url, checked=h.checked,
                    )
                )
                count += 1
        return count

    def get_meta(self, key: str) -> Optional[str]:
        row = self.session.get(Meta, key)
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.session.merge(Meta(key=key, value=value))
