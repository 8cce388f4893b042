"""The REST channel with its input checked, and EAP portals identified by a signed token.

Configured in credentials.yml as ``bot.channels.rest.RestInput`` (name
``rest``, so the URL stays ``/webhooks/rest/webhook``). A request is

    POST /webhooks/rest/webhook
    Authorization: Bearer <tenant token>        (optional: EAP portals only)
    {"sender": "<conversation id>", "message": "<text>", "metadata": {...}}

What differs from Rasa's stock ``RestInput``:

- a body that is not a JSON object, a missing, empty or non-string
  ``sender``, or a missing or non-string ``message`` gets a 400 with a clear
  ``{"error": ...}``. The stock channel put a message without a sender into
  one shared conversation, "default", where strangers read each other's
  replies, and answered a non-JSON body with a 500;
- the organisation (EAP tenant) comes only from a token verified with
  ``bot.tenants.tokens.verify_token``: a ``tenant`` the client writes into
  ``metadata`` is always dropped; a valid token sets ``metadata["tenant"]``
  and an invalid, expired or unknown one is a 401 with the reason;
- the client cannot rename the channel (the stock honoured an
  ``input_channel`` field): replies are shaped, and crisis hand-offs
  audited, by the channel the message really came through;
- on an error the message text is not logged (the stock logged it);
- a message over MAX_MESSAGE_CHARS gets a friendly "please shorten it"
  unless it signals a crisis (``bot.channels.limits``); bodies over 256 KB
  are refused with a 413 before they are parsed, and bodies nested deeper
  than 32 levels with a 400 (``bot.channels.guard``);
- a ``sender`` with the shape of another channel's conversation ids
  (``tg-...``, ``sms-...``, the widget's 32-hex ids) is refused: each
  channel has its own namespace (``bot.channels.namespace``);
- ``metadata`` keeps only ``region`` and ``locale`` (they choose the
  helplines, bot/understanding/context.py); anything else is dropped, not stored.
  A client's ``region_fixed`` is dropped too: only a verified tenant whose
  record says so (``python -m bot.tenants add ... --region IE --region-fixed``)
  fixes the region, and then its ``region`` replaces the client's;
- when the server is full, or a sender or address is over its rate, a
  message with no crisis signal gets a 429 with
  Retry-After and a friendly "busy" reply that names a crisis line; a crisis
  message is always answered in full (``bot.channels.shed``);
- ``DELETE /webhooks/rest/conversations/<sender>`` erases a conversation for
  the operator's backends: only with ``Authorization: Bearer
  <ERASE_API_TOKEN>`` (refused when that is unset), rate-limited, and
  answered 204 whether or not the id ever talked to the bot. The proxies in
  deploy/ do not route it. Visitors erase their own data by saying so.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Union
from urllib.parse import unquote

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as StockRestInput
from rasa.utils.endpoints import bool_arg
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from bot.channels.guard import (
    MAX_JSON_DEPTH,
    MAX_METADATA_BYTES,
    RateLimiter,
    allowed_metadata,
    client_address,
    too_deep,
)
from bot.channels.limits import screen_off_loop
from bot.channels.namespace import reserved_sender
from bot.channels.shed import admission, busy_text, over_proxy_limit
from bot.channels.verify import json_error, json_object, same
from bot.core.settings import get_settings

logger = logging.getLogger(__name__)

# The tracker store's sender_id column holds 255 characters.
MAX_SENDER_CHARS = 255
# A message is at most MAX_MESSAGE_CHARS (default 2,000); bodies far beyond any
# real message are refused before they are parsed.
MAX_BODY_BYTES = 256 * 1024
EXAMPLE = '{"sender": "a-conversation-id", "message": "what is cbt?"}'
# Erasure attempts per caller address: enough for a backend's batch, too few to probe ids or guess the token.
ERASE_RATE_PER_SECOND = 1.0
ERASE_BURST = 20


class BadRequest(ValueError):
    """What is wrong with a request, in words for the client's developer."""


class BodyTooLarge(BadRequest):
    """Far beyond any real message: a 413."""


class Unauthorized(ValueError):
    """A tenant token was sent and refused; the message is for the visitor."""


def read_message(body: bytes) -> tuple[str, str, Dict[str, Any]]:
    """``(sender, message, metadata)`` of a request body; raises BadRequest for anything else."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
    if too_deep(body):
        raise BadRequest(f"The body nests objects or lists more than {MAX_JSON_DEPTH} levels deep.")
    data = json_object(body)
    if data is None:
        raise BadRequest(f"The body must be a JSON object such as {EXAMPLE}.")
    sender, text, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest(
            f'"sender" must be a non-empty string that identifies the conversation, as in {EXAMPLE}.'
        )
    if len(sender) > MAX_SENDER_CHARS:
        raise BadRequest(f'"sender" must be at most {MAX_SENDER_CHARS} characters.')
    if reserved_sender(sender):
        raise BadRequest(
            '"sender" may not start with sms-, tg-, slack- or fb-, nor be 32 hex characters: '
            "those ids belong to the other channels. Choose another id for this conversation."
        )
    if not isinstance(text, str):
        raise BadRequest(f'"message" must be a string, as in {EXAMPLE}.')
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object when it is given.')
    if len(json.dumps(metadata, ensure_ascii=False).encode("utf-8")) > MAX_METADATA_BYTES:
        raise BadRequest(f'"metadata" must be at most {MAX_METADATA_BYTES // 1024} KB; only region and locale are used.')
    return sender, text, allowed_metadata(metadata)


def bearer_token(authorization: Optional[str]) -> Optional[str]:
    """The token of ``Authorization: Bearer <token>``; None without the header; Unauthorized when malformed."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


def with_tenant(metadata: Dict[str, Any], token: Optional[str], origin: Optional[str] = None) -> Dict[str, Any]:
    """The metadata with the client's ``tenant`` and ``region_fixed`` removed and the verified tenant, if any, put in.

    A verified tenant whose record fixes its visitors' region also sets
    ``region`` and ``region_fixed: true`` (over the client's region).
    ``origin``: a browser's Origin header; the token must then be used from one of its organisation's sites.
    """
    cleaned = {k: v for k, v in metadata.items() if k not in ("tenant", "region_fixed")}
    if token is None:
        return cleaned
    from bot.tenants.directory import fixed_region_metadata
    from bot.tenants.tokens import TokenError, verify_token

    try:
        cleaned["tenant"] = verify_token(token, origin=origin)
    except TokenError as exc:
        raise Unauthorized(exc.message) from None
    cleaned.update(fixed_region_metadata(cleaned["tenant"]))
    return cleaned


class RestInput(StockRestInput):
    def __init__(self) -> None:
        super().__init__()
        self.erase_limiter = RateLimiter(ERASE_RATE_PER_SECOND, ERASE_BURST)

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        custom_webhook = Blueprint("custom_webhook_RestInput", __name__)

        @custom_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @custom_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            try:
                sender, text, metadata = read_message(request.body or b"")
                metadata = with_tenant(
                    metadata, bearer_token(request.headers.get("Authorization")), request.headers.get("Origin")
                )
            except BodyTooLarge as exc:
                return json_error(413, str(exc))
            except BadRequest as exc:
                return json_error(400, str(exc))
            except Unauthorized as exc:
                return response.json(
                    {"error": str(exc)}, status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
                )
            except Exception as exc:  # noqa: BLE001 - e.g. the tenant directory is unreachable
                logger.error("rest: a tenant token could not be checked (%s)", type(exc).__name__)
                return json_error(503, "Sign-in cannot be checked right now. Please try again in a moment.")
            limit = get_settings().max_message_chars
            screened, too_long = await screen_off_loop(text, limit)
            if screened is None:
                return response.json([{"recipient_id": sender, "text": too_long}])
            text = screened
            gate = admission()  # load shedding with a crisis lane (bot.channels.shed)
            refused = gate.refusal(text, sender, client_address(request), over_proxy_limit(request.headers))
            if refused is not None:
                return response.json(
                    [{"recipient_id": sender, "text": busy_text(metadata.get("region"))}],
                    status=refused.status, headers={"Retry-After": str(refused.retry_after)},
                )
            if bool_arg(request, "stream", default=False):
                # Counted in flight while it streams, like any other turn, so a
                # surge of streaming clients is shed too.
                streamer = self.stream_response(on_new_message, text, sender, self.name(), metadata)

                async def admitted_stream(resp: Any) -> None:
                    with gate.admitted():
                        await streamer(resp)

                return response.stream(admitted_stream, content_type="text/event-stream")
            collector = CollectingOutputChannel()
            try:
                with gate.admitted():
                    await on_new_message(UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata))
            except asyncio.CancelledError:
                logger.error("rest: a message timed out")
            except Exception as exc:  # noqa: BLE001 - answer with whatever was said before the error
                logger.error("rest: a message could not be handled (%s)", type(exc).__name__)
            return response.json(collector.messages)

        @custom_webhook.route("/conversations/<sender>", methods=["DELETE"])
        async def erase(request: Request, sender: str) -> HTTPResponse:
            """Erasure for the operator's backends: a credential, a rate, and an answer that tells nothing."""
            address = client_address(request)
            if not self.erase_limiter.allow(address):
                return json_error(429, "Too many erasure requests. Please wait a moment.")
            token = get_settings().erase_api_token
            if not token:
                return json_error(403, "Erasure is not enabled on this server (ERASE_API_TOKEN is not set).")
            try:
                given = bearer_token(request.headers.get("Authorization"))
            except Unauthorized:
                given = None
            if given is None:
                return response.json(
                    {"error": "Erasure needs Authorization: Bearer <ERASE_API_TOKEN>."},
                    status=401, headers={"WWW-Authenticate": "Bearer"},
                )
            if not same(token, given):
                return json_error(403, "The erasure credential is not valid.")
            sender = unquote(sender)  # ids are URL-encoded in the path
            if not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return json_error(400, f"The sender id must be 1-{MAX_SENDER_CHARS} characters.")
            from bot.storage.tracker_store import agent_tracker_store

            store = agent_tracker_store(getattr(request.app.ctx, "agent", None))
            if not hasattr(store, "erase"):
                return json_error(501, "This server's conversation store cannot erase conversations.")
            try:
                await asyncio.get_running_loop().run_in_executor(None, store.erase, sender)
            except Exception as exc:  # noqa: BLE001 - e.g. the database is down: say so, do not pretend
                logger.error("rest: a conversation could not be erased (%s)", type(exc).__name__)
                return json_error(503, "The conversation cannot be erased right now. Please try again in a moment.")
            # The same answer whether or not the id ever talked to the bot: no counts, no body.
            return response.empty(status=204)

        return custom_webhook
