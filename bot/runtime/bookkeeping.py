"""Crisis audit rows and tenant counters, written from what an action did, not while rendering it.

Rasa runs an action, logs its events on the tracker, then sends its messages
(``MessageProcessor.execute_side_effects``). ``bot.runtime.patches`` calls
:func:`after_action` right after that, with the same events, tracker and output
channel, so the renderer (``bot.conversation.nlg``) stays a pure function of the
conversation and this is the one place where a reply leads to a write.

Every reply Rasa renders carries the response it came from
(``BotUttered.metadata["utter_action"]``, set by Rasa itself for domain,
retrieval and action-server responses), which is all this module needs
besides the tracker:

- a crisis hand-off (``utter_crisis_<category>``) writes an audit row
  (``bot.storage.audit``): channel, tenant, region, category, which layer fired;
- for an EAP portal's visitor (the ``tenant`` slot of a known tenant), the
  first reply of a session counts a conversation, an FAQ answer its topic,
  a hand-off a crisis (``bot.tenants.analytics``).

Both writes happen in a worker thread; nothing here may raise into Rasa's
turn, and nothing here changes what the visitor is sent.
"""

from __future__ import annotations

import logging
from typing import Iterable, Optional

from rasa.shared.core.events import BotUttered, Event, Restarted, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.conversation.crisis.templates import HANDOFF_RESPONSES
from bot.conversation.helplines import region_from_slots
from bot.storage import audit
from bot.tenants import analytics
from bot.tenants.directory import find_tenant
from bot.tenants.model import TenantInfo

logger = logging.getLogger(__name__)


def first_reply_of_session(tracker: DialogueStateTracker, own: Iterable[Event] = ()) -> bool:
    """No bot message since the session (or a restart) began, not counting the action's ``own`` events.

    The action's replies are already on the tracker when this runs; they were
    not when they were rendered, and the count means "the session's first
    reply came from this action". Newest first, so it stops early.
    """
    skip = {id(e) for e in own}
    for event in reversed(tracker.events):
        if id(event) in skip:
            continue
        if isinstance(event, BotUttered):
            return False
        if isinstance(event, (SessionStarted, Restarted)):
            return True
    return True


def after_action(events: list[Event], tracker: DialogueStateTracker, output_channel: str) -> None:
    """Audit and count the replies among ``events`` (already logged on ``tracker``, already sent)."""
    replies = [e for e in events if isinstance(e, BotUttered) and (e.metadata or {}).get("utter_action")]
    if not replies:
        return
    tenant = find_tenant(tracker.get_slot("tenant"))
    first = tenant is not None and first_reply_of_session(tracker, events)
    for reply in replies:
        utter_action = str(reply.metadata["utter_action"])
        if utter_action in HANDOFF_RESPONSES:
            try:
                audit_handoff(utter_action, tracker, output_channel, tenant)
            except Exception:  # noqa: BLE001 - bookkeeping never breaks a turn
                logger.exception("could not audit %s", utter_action)
        if tenant is not None:
            try:
                count(utter_action, tenant, first)
            except Exception:  # noqa: BLE001
                logger.exception("could not count %s", utter_action)
            first = False


def count(utter_action: str, tenant: TenantInfo, first_reply: bool) -> None:
    """The organisation's anonymous daily counters: no text or sender is kept."""
    if first_reply:
        analytics.record(tenant.slug, "conversation")
    if utter_action.startswith("utter_faq/"):
        analytics.record(tenant.slug, "topic", utter_action.removeprefix("utter_faq/"))
    elif utter_action in HANDOFF_RESPONSES:
        analytics.record(tenant.slug, "crisis")


def audit_handoff(utter_action: str, tracker: DialogueStateTracker, output_channel: str, tenant: Optional[TenantInfo]) -> None:
    """One audit row for a crisis hand-off: the region the reply was rendered for, never what was said."""
    try:
        region = region_from_slots(tracker.get_slot)
    except Exception:  # noqa: BLE001 - the renderer fell back to the default variant too
        logger.exception("could not resolve the region of a hand-off")
        region = ""
    latest = tracker.latest_message.parse_data if tracker.latest_message else {}
    verdict = latest.get("crisis") or {}
    audit.record(
        channel=output_channel,
        tenant=tenant.slug if tenant else None,
        region=region,
        category=utter_action.removeprefix("utter_crisis_"),
        # A hand-off that follows a "yes" to the check-in question.
        layer=(verdict.get("layer") or "model") if verdict.get("zone") == "handoff" else "check_in",
        sender_id=tracker.sender_id,
    )
