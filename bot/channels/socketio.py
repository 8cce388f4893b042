"""The socket.io channel of the web widget, with the checks Rasa's own lacks.

Rasa's ``SocketIOInput`` accepts connections from any web origin and trusts
whatever ``session_id`` a client sends, so anyone who learns (or guesses) a
visitor's id receives that visitor's replies. Here:

- a connection is accepted only from an allowed origin: ``ALLOWED_ORIGINS``
  plus every EAP tenant's portal origins. A connection with no Origin header
  is refused too: this channel serves browsers, programs have the REST one;
- session ids are issued by the server as ``<random>.<hmac>``; a returning
  client's id is honoured only when its signature checks out, otherwise a new
  one is issued. The conversation (Rasa's sender id) is the random part, and
  replies go only to the socket room of that verified conversation;
- metadata keeps only ``region`` and ``locale``; a packet nested too deeply
  to decode is answered with ``message_error`` (code ``unreadable``);
- an EAP portal proves its organisation with a signed tenant token
  (``bot.tenants.tokens``), valid only from that organisation's own sites
  (the connection's Origin); the tenant is bound to the socket server-side and
  written into every message's metadata, with ``region`` and
  ``region_fixed: true`` when that tenant's record fixes its visitors'
  country. A ``tenant`` or ``region_fixed`` a client puts into the metadata
  itself is always dropped.

Replies always go to the verified conversation's room, so ``session_persistence``
is in effect whatever credentials.yml says; Rasa's ``jwt_key`` option is
refused at start-up (tenant tokens take its place).

Events (``docs/embed.md`` describes them for widget authors):
``session_request {session_id?, tenant_token?}`` -> ``session_confirm
{session_id, resumed, tenant}`` or ``session_error {code, message}``;
``user_uttered {message, metadata}`` -> ``bot_uttered`` replies (each with
``region``: the country whose numbers the bot now gives, so the widget's
"Need help now?" panel follows a country the visitor named), or
``message_error {code, message}`` when the message cannot be handled
(code ``busy`` or ``rate`` when the server sheds load: bot.channels.shed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from typing import Any, Awaitable, Callable, Iterable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from bot.channels.guard import METADATA_FIELDS, REQUEST_MAX_BYTES, allowed_metadata, too_deep
from bot.channels.limits import screen_off_loop
from bot.channels.shed import admission, busy_text
from bot.core import wiring
from bot.core.settings import get_settings, local_secret

logger = logging.getLogger(__name__)

# 128 random bits, then 128 bits of HMAC-SHA256: neither guessable nor forgeable.
_SESSION_RE = re.compile(r"^([0-9a-f]{32})\.([0-9a-f]{32})$")
_SIGNING_CONTEXT = b"socketio-session:"

# Beyond this a message is refused outright; up to it, over-long messages are
# screened for a crisis first (bot.channels.limits, MAX_MESSAGE_CHARS setting).
MAX_MESSAGE_CHARS = 100_000
# Metadata is stored with every message: only the allow-listed fields (bot.channels.guard).
ALLOWED_METADATA = tuple(METADATA_FIELDS)

NO_SESSION = "The chat is still connecting. Please send your message again in a moment."
BAD_MESSAGE = "That message could not be read. Please type it again."
TOO_LONG = f"That message is too long for the chat (over {MAX_MESSAGE_CHARS} characters). Please send a shorter one."
SERVER_ERROR = (
    "Something went wrong on our side and your message was not answered. "
    "If you need help now, use the \"Need help now?\" button."
)
ORIGIN_REFUSED = "This website is not allowed to use the chat."
UNREADABLE = "That message could not be read (it was malformed or nested too deeply). Please type it again."


# --- session ids -------------------------------------------------------------


def session_secret() -> str:
    return wiring.get(
        "session_secret", lambda: local_secret("session_secret", get_settings().session_secret), from_settings=True
    )


def _signature(raw: str, secret: str) -> str:
    return hmac.new(secret.encode(), _SIGNING_CONTEXT + raw.encode(), hashlib.sha256).hexdigest()[:32]


def new_session_id(secret: str) -> str:
    """A fresh ``<random>.<hmac>`` id."""
    raw = secrets.token_hex(16)
    return f"{raw}.{_signature(raw, secret)}"


def verify_session_id(session_id: object, secret: str) -> Optional[str]:
    """The conversation id (the random part) when ``session_id`` carries our signature, else None."""
    if not isinstance(session_id, str):
        return None
    match = _SESSION_RE.match(session_id)
    if not match:
        return None
    raw, signature = match.groups()
    return raw if hmac.compare_digest(signature, _signature(raw, secret)) else None


# --- origins -----------------------------------------------------------------


def normalise_origin(origin: object) -> Optional[str]:
    if not isinstance(origin, str) or not origin.strip():
        return None
    return origin.strip().rstrip("/").lower()


def origin_allowed(origin: object, allowed: Iterable[str]) -> bool:
    """Exact match of scheme, host and port; a missing or ``null`` Origin never matches."""
    found = normalise_origin(origin)
    return found is not None and found != "null" and found in {o.lower() for o in allowed}


def allowed_origins() -> frozenset[str]:
    """ALLOWED_ORIGINS plus every tenant portal's origins (the directory caches them briefly)."""
    from bot.tenants.directory import allowed_origins as tenant_origins

    return frozenset(get_settings().allowed_origins) | tenant_origins()


def cors_check(origin: Optional[str], _environ: Optional[dict] = None) -> bool:
    """engine.io's origin check, run on every HTTP and WebSocket request of the channel."""
    return origin_allowed(origin, allowed_origins())


# --- messages ----------------------------------------------------------------


def clean_metadata(raw: object, tenant: Optional[str]) -> dict[str, Any]:
    """The client's allow-listed metadata (region, locale), with the tenant set only from the verified token."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if not too_deep(raw) else None
        except (ValueError, RecursionError):
            raw = None
    metadata: dict[str, Any] = allowed_metadata(raw if isinstance(raw, dict) else None)
    if tenant:
        metadata["tenant"] = tenant
    return metadata


class GuardedServer(AsyncServer):
    """python-socketio's server, answering a packet it cannot decode instead of failing in a background task.

    A packet nested thousands of levels deep made the JSON decoder raise a
    RecursionError inside python-socketio's own task: the visitor got no reply
    and the log an unhandled task error. Here such a packet is not decoded at
    all, and the socket gets ``message_error`` with code ``unreadable``.
    """

    error_namespace = "/"

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if isinstance(data, (str, bytes)) and too_deep(data):
            return await self._refuse_unreadable(eio_sid)
        try:
            await super()._handle_eio_message(eio_sid, data)
        except (ValueError, RecursionError):
            await self._refuse_unreadable(eio_sid)

    async def _refuse_unreadable(self, eio_sid: str) -> None:
        sid = self.manager.sid_from_eio_sid(eio_sid, self.error_namespace)
        if sid is not None:
            error = {"code": "unreadable", "message": UNREADABLE}
            await self.emit("message_error", error, to=sid, namespace=self.error_namespace)


def tenant_details(slug: Optional[str]) -> Optional[dict[str, Any]]:
    """What the widget shows of the organisation (name, colours, EAP line); never its origin list."""
    if not slug:
        return None
    from bot.tenants.directory import get_tenant

    tenant = get_tenant(slug)
    return tenant.public() if tenant else None


def check_tenant_token(token: object, origin: Optional[str] = None) -> tuple[Optional[str], Optional[dict[str, str]]]:
    """``(slug, None)`` for a valid token used from one of its organisation's sites, ``(None, error)`` otherwise;
    ``(None, None)`` when there is none."""
    if token in (None, ""):
        return None, None
    from bot.tenants.tokens import TokenError, verify_token

    try:
        return verify_token(token, origin=origin), None  # type: ignore[arg-type]
    except TokenError as exc:
        return None, {"code": exc.code, "message": exc.message}
    except Exception:  # noqa: BLE001 - a broken directory must not take the chat down
        logger.exception("could not check a tenant token")
        return None, {"code": "invalid", "message": "Your sign-in could not be checked. Please reload the page."}


_REPLY_REGION = re.compile(r"^(?:[A-Z]{2}|INTL)$")


class RegionSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, with the reply's ``region`` on every ``bot_uttered`` it emits.

    The renderer (``bot.conversation.nlg.ContextualNLG``) puts the region whose
    numbers the reply gives into the message; Rasa hands it to
    ``send_response`` but its socket.io output drops it. The widget's help
    panel reads it to show the same country's lines as the chat. One output
    serves one visitor message, whose replies are sent one after another.
    """

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.region: Optional[str] = None

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        region = message.get("region")
        self.region = region if isinstance(region, str) and _REPLY_REGION.match(region) else None
        await super().send_response(recipient_id, message)

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if self.region and isinstance(response, dict):
            response = {**response, "region": self.region}
        await super()._send_message(socket_id, response)


class SecureSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (same name, path and events) with origin, session and tenant checks."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if self.jwt_key:
            raise ValueError("socketio: jwt_key is not supported here; EAP portals send tenant tokens (docs/embed.md)")
        # engine.io's own limit for one message or long-polling batch (its default is 1 MB).
        sio = GuardedServer(async_mode="sanic", cors_allowed_origins=cors_check, max_http_buffer_size=REQUEST_MAX_BYTES)
        sio.error_namespace = self.namespace or "/"
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: Optional[dict] = None) -> None:
            # engine.io already refused a disallowed Origin; this also refuses a missing one.
            origin = environ.get("HTTP_ORIGIN")
            if not cors_check(origin):
                logger.info("refused a socket.io connection from origin %r", (origin or "")[:100] or None)
                raise SocketRefused({"code": "origin", "message": ORIGIN_REFUSED})
            token = auth.get("tenant_token") if isinstance(auth, dict) else None
            await sio.save_session(
                sid,
                {"sender": None, "tenant": None, "auth_token": token if isinstance(token, str) else None, "origin": origin},
                namespace,
            )

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            state = await sio.get_session(sid, namespace)
            tenant, error = check_tenant_token(data.get("tenant_token") or state.get("auth_token"), state.get("origin"))
            if error:
                # No confirmation: the portal sees a clear error rather than an anonymous chat.
                await sio.emit("session_error", error, room=sid, namespace=namespace)
                return
            secret = session_secret()
            sender = verify_session_id(data.get("session_id"), secret)
            resumed = sender is not None
            session_id = data["session_id"] if resumed else new_session_id(secret)
            sender = sender or session_id.split(".", 1)[0]
            previous = state.get("sender")
            if previous and previous != sender:
                await sio.leave_room(sid, previous, namespace)
            await sio.enter_room(sid, sender, namespace)
            state.update(sender=sender, tenant=tenant)
            await sio.save_session(sid, state, namespace)
            confirm = {"session_id": session_id, "resumed": resumed, "tenant": tenant_details(tenant)}
            await sio.emit("session_confirm", confirm, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            state = await sio.get_session(sid, namespace)

            async def refuse(code: str, message: str) -> None:
                await sio.emit("message_error", {"code": code, "message": message}, room=sid, namespace=namespace)

            sender = state.get("sender")
            if not sender:
                return await refuse("no_session", NO_SESSION)
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                return await refuse("bad_message", BAD_MESSAGE)
            if len(text) > MAX_MESSAGE_CHARS:
                return await refuse("too_long", TOO_LONG)
            screened, too_long = await screen_off_loop(text, get_settings().max_message_chars)
            if screened is None:  # a long message with no crisis in it: ask for a shorter one
                return await sio.emit(self.bot_message_evt, {"text": too_long}, room=sid, namespace=namespace)
            text = screened
            metadata = clean_metadata(data.get(self.metadata_key), state.get("tenant"))
            if state.get("tenant"):  # its record may fix its visitors' region (a cached look-up)
                from bot.tenants.directory import fixed_region_metadata

                metadata.update(fixed_region_metadata(state["tenant"]))
            gate = admission()  # load shedding with a crisis lane (bot.channels.shed); engine.io hides the address
            refused = gate.refusal(text, sender, "127.0.0.1")
            if refused is not None:
                return await refuse(refused.reason, busy_text(metadata.get("region")))
            # The client's own session_id in the message is ignored: the socket's verified one counts.
            message = UserMessage(
                text,
                RegionSocketIOOutput(sio, self.bot_message_evt),
                sender,
                input_channel=self.name(),
                metadata=metadata,
            )
            try:
                with gate.admitted():
                    await on_new_message(message)
            except Exception as exc:  # noqa: BLE001 - the visitor must hear that nothing is coming
                # the type only: a traceback's values can hold the message text
                logger.error("a socket.io message could not be handled (%s)", type(exc).__name__)
                await refuse("server_error", SERVER_ERROR)

        return socketio_webhook
