"""Short-lived tokens with which an EAP portal names its organisation: a key per organisation, bound to its sites.

Each organisation's portal signs with a key of its own, derived from
TENANT_JWT_SECRET and the organisation's slug (``python -m bot.tenants key
<slug>`` prints it; the operator hands it to that portal only). So a portal
can sign tokens for its own organisation and no other, and a leaked portal
key exposes one organisation, not all of them. A token holds

    {"tenant": "<slug>", "iss": "<slug>", "aud": "therapy-faq",
     "iat": ..., "exp": ..., "origin": "https://portal.example"}   (origin optional)

and is refused when expired, tampered with, signed with another key,
issued by or for someone else (``iss``/``aud``), longer-lived than
TENANT_TOKEN_MAX_TTL_SECONDS (a leaked token must not work for months),
naming an unknown tenant, or used from a site that is not the
organisation's: a browser's Origin must be one of the organisation's
portal origins (when it lists any), and the token's own ``origin`` claim,
when present, must be that very origin. The channels verify it and put the
tenant into the message metadata; clients never choose a tenant themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Optional

import jwt

from bot.core.settings import get_settings
from bot.tenants.directory import get_tenant

ALGORITHM = "HS256"
AUDIENCE = "therapy-faq"
LEEWAY_SECONDS = 30  # clock skew between the portal's server and ours


class TokenError(Exception):
    """Why a tenant token was refused: ``code`` for programs, ``message`` for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _secret(secret: Optional[str]) -> str:
    secret = secret or get_settings().tenant_jwt_secret
    if not secret:
        raise TokenError(
            "not_configured", "This service is not set up for organisation sign-in. Please use the public chat."
        )
    return secret


def tenant_key(tenant: str, secret: Optional[str] = None) -> str:
    """The organisation's own signing key: what its portal's server signs tokens with."""
    return hmac.new(_secret(secret).encode(), f"tenant-token-key:{tenant}".encode(), hashlib.sha256).hexdigest()


def _origin(value: object) -> Optional[str]:
    return value.strip().rstrip("/").lower() if isinstance(value, str) and value.strip() else None


def issue_token(
    tenant: str, ttl_seconds: int = 900, secret: Optional[str] = None, now: Optional[float] = None,
    origin: Optional[str] = None,
) -> str:
    """What a portal's server does (with its key); here for the CLI, the demo page and tests."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, object] = {
        "tenant": tenant, "iss": tenant, "aud": AUDIENCE, "iat": issued, "exp": issued + int(ttl_seconds),
    }
    if origin:
        claims["origin"] = origin
    return jwt.encode(claims, tenant_key(tenant, secret), algorithm=ALGORITHM)


def verify_token(token: str, secret: Optional[str] = None, url: Optional[str] = None, origin: Optional[str] = None) -> str:
    """The tenant slug a valid token names; raises TokenError otherwise.

    ``origin`` is the Origin of the browser request that carried the token
    (None for server-to-server calls, which have none).
    """
    master = _secret(secret)
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise TokenError("invalid", "The sign-in token is missing or malformed. Please reload the page.")
    invalid = TokenError("invalid", "The sign-in token is not valid. Please reload the page.")
    try:
        # Only to know whose key to check it with; nothing in it is trusted before the check.
        named = jwt.decode(token, options={"verify_signature": False}).get("tenant")
    except jwt.PyJWTError:
        raise invalid from None
    if not isinstance(named, str) or not named or len(named) > 64:
        raise invalid
    try:
        claims = jwt.decode(
            token,
            tenant_key(named, master),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=named,
            options={"require": ["exp", "iat", "tenant", "iss", "aud"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("expired", "Your sign-in has expired. Please reload the page to start again.") from None
    except jwt.PyJWTError:
        raise invalid from None
    max_ttl = get_settings().tenant_token_max_ttl_seconds
    if not isinstance(claims.get("exp"), int) or not isinstance(claims.get("iat"), int) or claims["exp"] - claims["iat"] > max_ttl:
        raise TokenError("invalid", "The sign-in token is valid for too long. Please ask your portal for a new one.")
    info = get_tenant(named, url)
    if info is None:
        raise TokenError("unknown_tenant", "Your organisation is not registered with this service.")
    own = {_origin(o) for o in info.allowed_origins}
    bound, seen = _origin(claims.get("origin")), _origin(origin)
    wrong_site = TokenError("wrong_origin", "This sign-in belongs to your organisation's portal. Please open the chat there.")
    if "origin" in claims and (bound is None or (own and bound not in own)):
        raise wrong_site
    if seen is not None and ((own and seen not in own) or (bound is not None and bound != seen)):
        raise wrong_site
    return named
