"""One namespace per channel for conversation ids, so no caller can reach another channel's conversation.

A conversation is stored under its sender id, and the REST channel lets its
caller choose that id. If Telegram, Slack or Messenger stored their
conversations under the platform's own ids (a chat id, a user id), anyone who
knew someone's id could write into their conversation through REST, read
their last topic through "tell me more", or erase it. So:

- every messaging platform stores a conversation under a keyed pseudonym of
  the platform's id, with the channel's own prefix (``tg-``, ``slack-``,
  ``fb-``; Twilio's ``sms-`` came first), keyed with that platform's secret:
  every server of a deployment computes the same id, and the id reveals
  neither the platform's id nor how to forge another one;
- replies still go to the platform's id: :class:`BoundOutput` sends every
  reply of a turn to the id the request came from, whatever id the
  conversation is stored under;
- REST senders that have the shape of another channel's ids (these prefixes,
  or the web widget's 32-hex ids) are refused (:func:`reserved_sender`).

Conversations stored under raw platform ids before this change are moved
under their new ids by ``python -m bot.channels.namespace migrate``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any, Dict, Iterable, List, Optional

from rasa.core.channels.channel import OutputChannel

from bot.channels.verify import hex_digest

# channel name -> the prefix of its conversation ids (data: the one place they are listed).
PREFIXES: Dict[str, str] = {"twilio": "sms-", "telegram": "tg-", "slack": "slack-", "facebook": "fb-"}
# The web widget's conversation id: the random half of a server-signed session id (bot/channels/socketio.py).
_WIDGET_ID = re.compile(r"^[0-9a-f]{32}$")
_RESERVED_PREFIX = re.compile(r"^(?:" + "|".join(re.escape(p) for p in PREFIXES.values()) + ")", re.IGNORECASE)


def platform_key(channel: str, secret: str, platform_id: str) -> str:
    """The stored conversation id of a platform's conversation ``platform_id`` (``tg-<32 hex>``)."""
    if not secret:
        raise ValueError(f"{channel}: a secret is needed to key its conversation ids")
    return PREFIXES[channel] + hex_digest(secret, platform_id.strip(), f"{channel}-sender")[:32]


def reserved_sender(sender: str) -> bool:
    """Whether a REST ``sender`` has the shape of another channel's conversation ids."""
    value = sender.strip()
    return bool(_RESERVED_PREFIX.match(value) or _WIDGET_ID.match(value))


class BoundOutput(OutputChannel):
    """Sends every reply of one turn to the platform id it came from.

    Rasa addresses replies to the conversation's stored id, which is now a
    pseudonym; the platform needs its own id back. Everything else
    (including ``name()``, by which replies are shaped) is the wrapped channel's.
    """

    def __init__(self, inner: OutputChannel, recipient: str) -> None:
        self.inner = inner
        self.recipient = recipient

    def name(self) -> str:  # type: ignore[override]  # the instance's channel, not the class's
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.inner.send_response(self.recipient, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.inner.send_text_message(self.recipient, text, **kwargs)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.inner.send_text_with_buttons(self.recipient, text, buttons, **kwargs)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.inner.send_quick_replies(self.recipient, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.inner.send_image_url(self.recipient, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self.inner.send_attachment(self.recipient, attachment, **kwargs)

    async def send_elements(self, recipient_id: str, elements: Iterable[Dict[str, Any]], **kwargs: Any) -> None:
        await self.inner.send_elements(self.recipient, elements, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.inner.send_custom_json(self.recipient, json_message, **kwargs)


# --- moving conversations stored under raw platform ids -----------------------------------


def platform_secrets(env: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """channel -> the secret its ids are keyed with, for the platforms that are configured."""
    import os

    from bot.core.settings import export_defaults

    if env is None:
        export_defaults()
        env = dict(os.environ)
    found = {
        "telegram": env.get("TELEGRAM_SECRET_TOKEN", ""),
        "slack": env.get("SLACK_SIGNING_SECRET", ""),
        "facebook": env.get("FACEBOOK_SECRET", ""),
    }
    return {channel: secret.strip() for channel, secret in found.items() if secret and secret.strip()}


def migrate(tracker_url: str, secrets: Dict[str, str]) -> int:
    """Move conversations stored under a raw platform id to their keyed id; returns how many moved.

    A conversation belongs to a platform when one of its user events came
    through that platform's channel. Ids that already have a channel prefix
    are left alone, so running this twice changes nothing.
    """
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(tracker_url, future=True)
    moved = 0
    try:
        if "events" not in inspect(engine).get_table_names():
            return 0
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT DISTINCT sender_id, data FROM events WHERE type_name = 'user'")).fetchall()
            owners: Dict[str, str] = {}
            for sender_id, data in rows:
                if sender_id in owners or _RESERVED_PREFIX.match(sender_id or ""):
                    continue
                try:
                    channel = json.loads(data or "{}").get("input_channel")
                except ValueError:
                    continue
                if channel in secrets:
                    owners[sender_id] = channel
            for sender_id, channel in owners.items():
                key = platform_key(channel, secrets[channel], sender_id)
                conn.execute(text("UPDATE events SET sender_id = :key WHERE sender_id = :old"), {"key": key, "old": sender_id})
                moved += 1
    finally:
        engine.dispose()
    return moved


def main(argv: Optional[List[str]] = None) -> int:
    from bot.core.settings import get_settings

    parser = argparse.ArgumentParser(prog="python -m bot.channels.namespace", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["migrate"])
    parser.parse_args(argv)
    secrets = platform_secrets()
    moved = migrate(get_settings().tracker_store_url, secrets)
    print(f"moved {moved} platform conversations to their channel's namespace ({', '.join(sorted(secrets)) or 'no platform configured'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
