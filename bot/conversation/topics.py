"""The FAQ topics' labels and subjects, read from ``data/knowledge/topics.yml``.

Content, not rendering: the renderer (``bot.conversation.nlg``), the action server
(``actions.faq``) and the tenant reports (``bot.tenants.analytics``) all name
topics the same way, and none of them has to import another to do it.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

from bot.core.settings import ROOT


@functools.lru_cache(maxsize=1)
def _topics() -> tuple[dict[str, Any], ...]:
    with open(ROOT / "data" / "knowledge" / "topics.yml", encoding="utf-8") as fh:
        return tuple(yaml.safe_load(fh)["topics"])


def topic_labels() -> dict[str, str]:
    """Topic id -> its button label."""
    return {t["id"]: t["label"] for t in _topics()}


def topic_subjects() -> dict[str, str]:
    """Topic id -> the topic as a phrase that reads inside a sentence."""
    return {t["id"]: t["subject"] for t in _topics() if t.get("subject")}
