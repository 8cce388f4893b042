"""What a tenant is, checked once at the edge (CLI, database) so the rest can trust it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{1,30}[0-9]$")
REGION_RE = re.compile(r"^[A-Z]{2}$")
RESOURCE_KEYS = ("name", "phone", "url", "hours")


class TenantError(ValueError):
    """A tenant field is invalid; the message names the field."""


@dataclass(frozen=True)
class TenantInfo:
    slug: str
    name: str
    display_name: str
    eap_phone: str
    eap_hours: str = ""
    portal_url: str = ""
    allowed_origins: tuple[str, ...] = ()
    extra_resources: tuple[Mapping[str, str], ...] = field(default_factory=tuple)
    primary_colour: str = "#1f5f8b"
    accent_colour: str = "#f2f6f9"
    # ISO 3166 alpha-2 ("IE"), or "" when not given. With region_fixed, every visitor
    # this organisation signs in gets that country's helplines, whatever they say.
    region: str = ""
    region_fixed: bool = False

    def fixed_region_metadata(self) -> dict[str, Any]:
        """``{"region": "IE", "region_fixed": True}`` when the organisation fixes its visitors' region, else {}.

        What a channel adds to a message once it has verified the tenant: the
        only way ``region_fixed`` reaches the bot (a client's own is dropped).
        """
        if self.region_fixed and self.region:
            return {"region": self.region, "region_fixed": True}
        return {}

    def eap_line(self) -> str:
        """``Acme EAP — call 0800 123 456 (24/7)``: one line, the same wherever it is shown."""
        hours = f" ({self.eap_hours})" if self.eap_hours else ""
        return f"{self.display_name} EAP — call {self.eap_phone}{hours}"

    def resource_lines(self) -> list[str]:
        lines = []
        for r in self.extra_resources:
            ways = [f"call {r['phone']}" if r.get("phone") else "", r.get("url") or ""]
            how = " or ".join(w for w in ways if w)
            hours = f" ({r['hours']})" if r.get("hours") else ""
            lines.append(f"{r['name']}" + (f" — {how}" if how else "") + hours)
        return lines

    def public(self) -> dict[str, Any]:
        """What a browser may see: display and help lines, never the origin list."""
        return {
            "slug": self.slug,
            "display_name": self.display_name,
            "eap_phone": self.eap_phone,
            "eap_hours": self.eap_hours,
            "eap_line": self.eap_line(),
            "extra_resources": [dict(r) for r in self.extra_resources],
            "primary_colour": self.primary_colour,
            "accent_colour": self.accent_colour,
            # The widget's "Need help now?" panel shows this country's lines from the start.
            "fixed_region": self.region if self.region_fixed and self.region else None,
        }


def check_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise TenantError("slug must be 3-64 characters of a-z, 0-9 and '-', e.g. acme-corp")
    return slug


def check_origins(origins: Iterable[str]) -> tuple[str, ...]:
    found = []
    for origin in origins:
        origin = origin.strip().rstrip("/").lower()
        if not origin:
            continue
        if not ORIGIN_RE.match(origin):
            raise TenantError(f"allowed origin must look like https://portal.example.org, got {origin!r}")
        found.append(origin)
    return tuple(dict.fromkeys(found))


def check_resources(resources: Iterable[Mapping[str, Any]]) -> tuple[dict[str, str], ...]:
    checked = []
    for r in resources:
        if not isinstance(r, Mapping) or not str(r.get("name") or "").strip():
            raise TenantError("each extra resource needs at least a name")
        unknown = set(r) - set(RESOURCE_KEYS)
        if unknown:
            raise TenantError(f"unknown extra resource field(s): {', '.join(sorted(unknown))}")
        if not (r.get("phone") or r.get("url")):
            raise TenantError(f"extra resource {r['name']!r} needs a phone or a url")
        if r.get("url") and not str(r["url"]).startswith(("https://", "http://")):
            raise TenantError(f"extra resource url must start with https://, got {r['url']!r}")
        checked.append({k: str(r[k]).strip() for k in RESOURCE_KEYS if r.get(k)})
    return tuple(checked)


def check_region(region: Optional[str], fixed: bool = False) -> str:
    """An ISO 3166 alpha-2 code in capitals, or "" when none; ``fixed`` needs one."""
    code = (region or "").strip().upper()
    if code == "UK":
        raise TenantError("region must be an ISO 3166 code: GB for the United Kingdom, not UK")
    if code and not REGION_RE.match(code):
        raise TenantError(f"region must be a two-letter ISO 3166 country code such as IE, got {region!r}")
    if fixed and not code:
        raise TenantError("region_fixed needs a region: the country every visitor of the organisation is in")
    return code


def make_tenant(
    slug: str,
    name: str,
    eap_phone: str,
    *,
    display_name: str = "",
    eap_hours: str = "",
    portal_url: str = "",
    allowed_origins: Iterable[str] = (),
    extra_resources: Iterable[Mapping[str, Any]] = (),
    primary_colour: str = "#1f5f8b",
    accent_colour: str = "#f2f6f9",
    region: Optional[str] = "",
    region_fixed: bool = False,
) -> TenantInfo:
    """A validated TenantInfo; raises TenantError naming the first bad field."""
    slug = check_slug(slug)
    name = (name or "").strip()
    if not name:
        raise TenantError("name is required")
    if not PHONE_RE.match((eap_phone or "").strip()):
        raise TenantError(f"EAP phone must be a phone number such as +1 800 555 0100, got {eap_phone!r}")
    for label, colour in (("primary colour", primary_colour), ("accent colour", accent_colour)):
        if not COLOUR_RE.match(colour or ""):
            raise TenantError(f"{label} must be a hex colour such as #1f5f8b, got {colour!r}")
    if portal_url and not portal_url.startswith(("https://", "http://")):
        raise TenantError(f"portal URL must start with https://, got {portal_url!r}")
    if not isinstance(region_fixed, bool):
        raise TenantError(f"region_fixed must be true or false, got {region_fixed!r}")
    region = check_region(region, region_fixed)
    return TenantInfo(
        slug=slug,
        name=name[:160],
        display_name=(display_name or name).strip()[:160],
        eap_phone=eap_phone.strip(),
        eap_hours=(eap_hours or "").strip()[:80],
        portal_url=(portal_url or "").strip(),
        allowed_origins=check_origins(allowed_origins),
        extra_resources=check_resources(extra_resources),
        primary_colour=primary_colour.lower(),
        accent_colour=accent_colour.lower(),
        region=region,
        region_fixed=region_fixed,
    )
