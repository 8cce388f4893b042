"""Short-lived HS256 tokens with which an EAP portal names its organisation.

The portal's server signs ``{"tenant": "<slug>", "iat": ..., "exp": ...}``
with TENANT_JWT_SECRET and hands the token to the widget. The channels verify
it and put the tenant into the message metadata; clients never choose a
tenant themselves. Tokens are refused when expired, tampered with, signed
with another key, longer-lived than TENANT_TOKEN_MAX_TTL_SECONDS (a leaked
token must not work for months), or naming an unknown tenant.
"""

from __future__ import annotations

import time
from typing import Optional

import jwt

from bot.settings import get_settings
from bot.tenants.directory import get_tenant

ALGORITHM = "HS256"
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


def issue_token(tenant: str, ttl_seconds: int = 900, secret: Optional[str] = None, now: Optional[float] = None) -> str:
    """What a portal's server does; here for the CLI, the demo page and tests."""
    issued = int(now if now is not None else time.time())
    claims = {"tenant": tenant, "iat": issued, "exp": issued + int(ttl_seconds)}
    return jwt.encode(claims, _secret(secret), algorithm=ALGORITHM)


def verify_token(token: str, secret: Optional[str] = None, url: Optional[str] = None) -> str:
    """The tenant slug a valid token names; raises TokenError otherwise."""
    key = _secret(secret)
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise TokenError("invalid", "The sign-in token is missing or malformed. Please reload the page.")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "iat", "tenant"]},
            leeway=LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("expired", "Your sign-in has expired. Please reload the page to start again.") from None
    except jwt.PyJWTError:
        raise TokenError("invalid", "The sign-in token is not valid. Please reload the page.") from None
    max_ttl = get_settings().tenant_token_max_ttl_seconds
    if not isinstance(claims.get("exp"), int) or not isinstance(claims.get("iat"), int) or claims["exp"] - claims["iat"] > max_ttl:
        raise TokenError("invalid", "The sign-in token is valid for too long. Please ask your portal for a new one.")
    tenant = claims.get("tenant")
    if not isinstance(tenant, str) or get_tenant(tenant, url) is None:
        raise TokenError("unknown_tenant", "Your organisation is not registered with this service.")
    return tenant
