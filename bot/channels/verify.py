"""Who is calling: the messaging platforms' request checks, and what a refused caller hears.

Rasa's stock Twilio and Telegram connectors accept any request that reaches
their URL, so anyone who finds it could make the bot send messages in its
name, or read replies meant for someone else. Each check here is a pure
function of the configured secret and the raw request, so it is unit-tested
without a server; the channels run it before reading anything else and answer
401 when the proof is missing, 403 when it is wrong, and 400 when a properly
signed body cannot be read — never a 500.

A platform listed in credentials.yml whose variables are not all set is
replaced by a :class:`DisabledChannel`: same name and URL, no outside calls at
start, and a 404 with a JSON explanation at its webhook.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, ClassVar, Mapping, Optional, Sequence
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.signature import Clock, SignatureVerifier

logger = logging.getLogger(__name__)


# --- answers -------------------------------------------------------------------


def json_error(code: int, message: str, /, **extra: Any) -> HTTPResponse:
    # Positional-only: a body field may itself be called "status".
    return response.json({"error": message, **extra}, status=code)


def refuse_signature(platform: str, header: str, present: bool) -> HTTPResponse:
    """401 when the proof is missing, 403 when it does not check out."""
    if not present:
        return json_error(401, f"This endpoint only accepts requests from {platform}: the {header} header is missing.")
    return json_error(403, f"This endpoint only accepts requests from {platform}: the {header} header is not valid.")


# --- the checks ----------------------------------------------------------------


def same(expected: str, given: Optional[str]) -> bool:
    """Constant-time equality: a byte-by-byte early exit would leak the secret's prefix."""
    if not expected or not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def telegram_secret_ok(secret_token: str, header: Optional[str]) -> bool:
    """Telegram echoes the ``secret_token`` given to setWebhook in X-Telegram-Bot-Api-Secret-Token."""
    return same(secret_token, header)


def hub_signature_ok(app_secret: str, body: bytes, sha256_header: Optional[str], sha1_header: Optional[str]) -> bool:
    """Meta's ``X-Hub-Signature-256: sha256=<hex>``; the legacy SHA-1 ``X-Hub-Signature`` alone is refused.

    Meta sends both headers on every delivery; SHA-1 is no longer a safe
    MAC basis to accept on its own, so only the SHA-256 one decides. Rasa's
    stock check took the algorithm's name from the header itself, so a caller
    chose how the body was hashed (and a name such as ``new`` made it crash).
    ``sha1_header`` is accepted as an argument only so callers can pass what
    they received.
    """
    if not app_secret or sha256_header is None:
        return False
    prefix = "sha256="
    if not sha256_header.startswith(prefix):
        return False
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return same(digest, sha256_header[len(prefix):].strip().lower())


class _FixedClock(Clock):
    """slack_sdk's verifier reads the time from a clock; tests pass a fixed ``now``."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def slack_signature_ok(
    signing_secret: str, body: bytes, timestamp: Optional[str], signature: Optional[str], now: Optional[float] = None
) -> bool:
    """Slack's v0 scheme, checked by slack_sdk's own ``SignatureVerifier``.

    HMAC-SHA256 of ``v0:<timestamp>:<body>`` in constant time, refused when
    more than five minutes from now (a replay). The library is Slack's
    reference; here only what it would raise on becomes a refusal: no secret
    configured, a timestamp that is not a number, a body that is not UTF-8
    (Slack always sends UTF-8), a signature that is not ASCII.
    """
    if not signing_secret or not timestamp or not signature:
        return False
    verifier = SignatureVerifier(signing_secret, Clock() if now is None else _FixedClock(now))
    try:
        return verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
    except (ValueError, TypeError):  # UnicodeDecodeError is a ValueError
        return False


class _Fields(dict):
    """Form fields with every value of a repeated field, in the shape Twilio's validator reads."""

    def getall(self, name: str) -> list[str]:
        return list(self[name])


def twilio_signature(auth_token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    """What Twilio puts in X-Twilio-Signature for a form POST to ``url`` (for tests and tools)."""
    from twilio.request_validator import RequestValidator

    return RequestValidator(auth_token).compute_signature(url, _Fields(params))


def twilio_signature_ok(auth_token: str, url: str, params: Mapping[str, Sequence[str]], signature: Optional[str]) -> bool:
    """Twilio signs the public URL it called plus every POST field, blank ones included.

    ``url`` must be the address configured in Twilio (TWILIO_WEBHOOK_URL), not
    the one this server sees: behind a proxy the two differ in scheme or host.
    """
    if not auth_token or not url or not signature:
        return False
    from twilio.request_validator import RequestValidator

    try:
        return bool(RequestValidator(auth_token).validate(url, _Fields(params), signature))
    except (TypeError, ValueError):
        return False


# --- reading bodies without trusting them -----------------------------------------


def form_fields(body: bytes) -> Optional[dict[str, list[str]]]:
    """A urlencoded body with blank fields kept (Twilio signs them; Sanic's ``request.form`` drops them)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=200)
    except ValueError:
        return None


def json_object(body: bytes) -> Optional[dict[str, Any]]:
    """The body as a JSON object, or None for anything else (invalid JSON, a list, a number, nesting too deep)."""
    from bot.channels.guard import too_deep

    if too_deep(body):
        return None  # json.loads would recurse until a RecursionError
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


# --- platforms that are not configured ------------------------------------------------


def missing_settings(credentials: Optional[Mapping[str, Any]], required: Mapping[str, str]) -> list[str]:
    """The environment variables (``required`` maps credential key -> variable) that are empty."""
    credentials = credentials or {}
    return [variable for key, variable in required.items() if not str(credentials.get(key) or "").strip()]


def configuration_problem(missing: Sequence[str], required: Mapping[str, str]) -> Optional[str]:
    """A warning when a platform is half configured (likely a mistake); None when it is simply unused."""
    if not missing or len(missing) == len(required):
        return None
    return f"set {', '.join(missing)} as well to connect it"


class DisabledChannel(InputChannel):
    """A platform listed in credentials.yml that is switched off because its variables are unset.

    It keeps the platform's URL so a webhook that is still registered with the
    platform gets a clear answer (and the operator a clear log line) instead
    of a bare 404 from the router.
    """

    platform: ClassVar[str] = ""
    label: ClassVar[str] = ""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = list(missing)

    @classmethod
    def name(cls) -> str:
        return cls.platform

    @classmethod
    def for_platform(cls, platform: str, label: str, missing: Sequence[str], problem: Optional[str] = None) -> DisabledChannel:
        """The stand-in for ``platform``; ``problem`` (a misconfiguration) is logged as a warning."""
        if problem:
            logger.warning("%s is off: %s (docs/channels.md)", label, problem)
        else:
            logger.info("%s is off (its variables are not set)", label)
        channel_class = type(f"Disabled{label.replace(' ', '')}Input", (cls,), {"platform": platform, "label": label})
        return channel_class(missing)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint(f"{self.platform}_webhook_disabled", __name__)
        message = f"{self.label} is not connected on this server."

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return json_error(404, message, status="disabled")

        @blueprint.route("/webhook", methods=["GET", "POST"])
        async def webhook(_: Request) -> HTTPResponse:
            return json_error(404, message)

        return blueprint

    def get_output_channel(self) -> None:
        return None


def hex_digest(secret: str, value: str, context: str) -> str:
    """A keyed, stable pseudonym of ``value``: the same person maps to the same id, the id reveals nothing."""
    return hmac.new(secret.encode("utf-8"), f"{context}:{value}".encode(), hashlib.sha256).hexdigest()
