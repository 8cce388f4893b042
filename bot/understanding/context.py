"""Where the visitor is: from the channel's metadata, or from what they said.

Region decides which helplines the crisis reply shows, so it must be known in
the Rasa process itself (the crisis turn never waits on the action server).
The channel's metadata (the web widget sends ``region`` or ``locale``) is
emitted as ``channel_region``; a country named in the text ("I'm in the UK")
as ``region``; an organisation that serves one country only and says so
(``region`` with ``region_fixed: true``) as ``fixed_region``. Our channels
drop any ``region_fixed`` a client sends and set it only from the record of
a tenant they verified (``bot.tenants.directory.fixed_region_metadata``).
``bot.conversation.helplines.resolve_region`` ranks them: fixed, then said,
then the channel's. The EAP tenant that a channel verified from a signed
token arrives the same way, as ``tenant``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from bot.understanding.message_component import MessageComponent

# Lower-case names -> ISO 3166 code. Countries without their own helplines in
# data/resources still resolve (to the international directory).
COUNTRIES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.a.": "US", "u.s.": "US",
    "america": "US", "the states": "US", "the us": "US",
    "canada": "CA",
    "united kingdom": "GB", "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "ireland": "IE", "republic of ireland": "IE", "eire": "IE",
    "australia": "AU", "new zealand": "NZ", "aotearoa": "NZ", "nz": "NZ", "india": "IN",
    "germany": "DE", "france": "FR", "spain": "ES", "italy": "IT", "netherlands": "NL", "belgium": "BE",
    "sweden": "SE", "norway": "NO", "denmark": "DK", "finland": "FI", "poland": "PL", "portugal": "PT",
    "switzerland": "CH", "austria": "AT", "mexico": "MX", "brazil": "BR", "argentina": "AR",
    "south africa": "ZA", "nigeria": "NG", "kenya": "KE", "ghana": "GH", "philippines": "PH",
    "singapore": "SG", "malaysia": "MY", "japan": "JP", "china": "CN", "hong kong": "HK",
    "pakistan": "PK", "bangladesh": "BD", "sri lanka": "LK", "uae": "AE", "israel": "IL",
}
# Longest names first so "northern ireland" wins over "ireland".
_COUNTRY_RE = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(n) for n in sorted(COUNTRIES, key=len, reverse=True)) + r")(?![\w])"
)
# A bare "US" is only a country when written in capitals ("help us" is not).
_US_CAPS_RE = re.compile(r"(?<![\w.])US(?![\w])")
_CODE_RE = re.compile(r"^[A-Za-z]{2}$")
TENANT_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


def region_from_metadata(metadata: Optional[Dict[str, Any]]) -> Optional[str]:
    """``{"region": "GB"}`` or ``{"locale": "en-GB"}`` -> ``"GB"``; anything malformed -> None."""
    if not isinstance(metadata, dict):
        return None
    region = metadata.get("region")
    if isinstance(region, str) and _CODE_RE.match(region.strip()):
        return region.strip().upper()
    locale = metadata.get("locale")
    if isinstance(locale, str):
        parts = re.split(r"[-_]", locale.strip())
        if len(parts) >= 2 and _CODE_RE.match(parts[-1]):
            return parts[-1].upper()
    return None


def fixed_region_from_metadata(metadata: Optional[Dict[str, Any]]) -> Optional[str]:
    """The organisation's region when it says its visitors are all there (``region_fixed: true``), else None.

    The channels set ``region_fixed`` only from a verified tenant's record; this reads what they set.
    """
    if not isinstance(metadata, dict) or metadata.get("region_fixed") is not True:
        return None
    region = metadata.get("region")
    return region.strip().upper() if isinstance(region, str) and _CODE_RE.match(region.strip()) else None


def region_from_text(text: str) -> Optional[str]:
    """The last country named in the text (people correct themselves: "not the US, I'm in Canada")."""
    found = [COUNTRIES[m.group(1)] for m in _COUNTRY_RE.finditer(text.lower())]
    if _US_CAPS_RE.search(text):
        found.append("US")
    return found[-1] if found else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ContextExtractor(MessageComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    def process_one(self, message: Message) -> None:
        # Set only by our channels from a verified token (they drop any client-sent value).
        tenant = (message.get("metadata") or {}).get("tenant") if isinstance(message.get("metadata"), dict) else None
        if isinstance(tenant, str) and TENANT_RE.match(tenant):
            self.add_entity(message, "tenant", tenant)
        fixed = fixed_region_from_metadata(message.get("metadata"))
        if fixed:
            self.add_entity(message, "fixed_region", fixed)
        channel_region = region_from_metadata(message.get("metadata"))
        if channel_region:
            self.add_entity(message, "channel_region", channel_region)
        said = region_from_text(message.get("text") or "")
        if said:
            self.add_entity(message, "region", said)
