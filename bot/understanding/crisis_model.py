"""The crisis model: a calibrated probability per crisis category, and the zone it puts a message in.

Input: the shared encoder's sentence embedding plus character n-grams (they
carry text-speak, misspellings and Spanish, which the English encoder reads
poorly). Model: multinomial logistic regression over ``none`` and the eight
categories; its probabilities are calibrated by construction of the loss and
checked on the dev set (``make eval-crisis`` prints the calibration table).

Zones, from ``risk = 1 - P(none)``:
- ``handoff`` at or above ``thresholds.handoff``: the crisis reply at once;
- ``check_in`` at or above ``thresholds.check_in``: a direct, warm question,
  except when the likeliest category is an attempt or an immediate danger,
  which are handed off from there;
- ``none`` below.
An explicit-statement rule (``crisis_rules``) raises any zone to ``handoff``;
nothing lowers what the model found. The thresholds are chosen on the dev set
and live in config.yml.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import numpy as np

from bot.understanding.crisis_data import CATEGORIES, NONE
from bot.understanding.crisis_rules import Hit
from bot.understanding.linear import LinearTextClassifier
from bot.understanding.linear import ModelOptions as ModelOptions  # the crisis component configures it

HANDOFF, CHECK_IN, NO_CRISIS = "handoff", "check_in", "none"
NEVER = 1.01  # a threshold no probability reaches
# How much concern a zone expresses: the most concerning of several readings wins.
ZONE_RANK = {NO_CRISIS: 0, CHECK_IN: 1, HANDOFF: 2}
MODEL_FILE = "crisis_model.pkl"
SCREEN_FILE = "crisis_screen.pkl"


# An attempt or an immediate danger is never met with a question first: from
# the check-in threshold up, when the model's likeliest category is one of
# these and holds at least half of the risk, the message is handed off.
URGENT_CATEGORIES = frozenset({"attempt", "immediate_danger"})


@dataclass(frozen=True)
class Thresholds:
    handoff: float
    check_in: float
    # The urgent category must hold at least this share of the risk to hand off from the check-in zone.
    urgent_share: float = 0.5
    # One sentence of a longer message at or above this risk brings a check-in (see ``sentence_zone``); above 1: off.
    sentence_check_in: float = NEVER

    def zone(self, risk: float, category: Optional[str] = None, category_p: float = 0.0) -> str:
        if risk >= self.handoff:
            return HANDOFF
        if risk >= self.check_in:
            return HANDOFF if category in URGENT_CATEGORIES and category_p >= self.urgent_share * risk else CHECK_IN
        return NO_CRISIS

    def sentence_zone(self, risk: float, category: Optional[str] = None, category_p: float = 0.0) -> str:
        """The zone one sentence of a longer message brings: at most a check-in, unless it names an attempt or a danger.

        A forum post can bury "i don't see the point of being here anymore" in
        ten sentences about work, and the whole post's embedding then reads as
        work. Read alone, one sentence is also easier to mistake ("this song
        makes me want to die"), so a sentence asks (the check-in) rather than
        hands off, at a threshold of its own chosen on the dev set.
        """
        return Thresholds(NEVER, self.sentence_check_in, self.urgent_share).zone(risk, category, category_p)


@dataclass
class Verdict:
    zone: str
    category: Optional[str]
    risk: float
    layer: str  # "model", "rule", "context" (earlier turns of the session) or "sentence" (one sentence of it)
    language: str = "en"
    rule: Optional[str] = None
    probabilities: Dict[str, float] = field(default_factory=dict)
    # The most concerning sentence of a longer message: its risk, likeliest category and that category's probability.
    sentence: Optional[tuple[float, str, float]] = None
    # When one sentence raised the zone (layer "sentence"), ``risk`` is that sentence's; this is the whole message's,
    # which the evaluation needs to place the message under other thresholds.
    message_risk: Optional[float] = None

    def as_output(self) -> Dict[str, Any]:
        """What goes into the parse data (and so the tracker): no text, rounded numbers."""
        out = asdict(self)
        out["risk"] = round(self.risk, 4)
        out["probabilities"] = {k: round(v, 4) for k, v in self.probabilities.items() if v >= 0.01}
        if self.sentence is not None:
            out["sentence"] = [round(self.sentence[0], 4), self.sentence[1], round(self.sentence[2], 4)]
        if self.message_risk is None:
            del out["message_risk"]
        else:
            out["message_risk"] = round(self.message_risk, 4)
        return out


class CrisisClassifier(LinearTextClassifier):
    """P(category), with ``none`` as one class."""

    def check_labels(self, labels: Sequence[str]) -> None:
        unknown = set(labels) - set(CATEGORIES) - {NONE}
        if unknown:
            raise ValueError(f"unknown crisis labels: {sorted(unknown)}")

    def risk(self, probabilities: np.ndarray) -> np.ndarray:
        """1 - P(none), row by row."""
        return 1.0 - probabilities[:, self.classes.index(NONE)]

    def save(self, directory: Path) -> None:  # type: ignore[override]
        super().save(directory / MODEL_FILE)

    @classmethod
    def load(cls, directory: Path) -> CrisisClassifier:  # type: ignore[override]
        return super().load(directory / MODEL_FILE)


class CrisisScreen(CrisisClassifier):
    """The same categories from n-grams alone: a check cheap enough for every message of an overload.

    When a server is full, the channels must tell a crisis from everything
    else before admitting a message, for every message that arrives, and the
    sentence encoder is the dearest part of a turn (about 8 ms). This head
    reads only character and word n-grams (about 0.3 ms) and is tuned for
    recall: its threshold (``screen_threshold``) is chosen on the dev set so
    that it misses almost no crisis message; what it wrongly lets in is only
    admitted, then read by the full model like any other message. It never
    decides a reply.
    """

    def save(self, directory: Path) -> None:  # type: ignore[override]
        LinearTextClassifier.save(self, directory / SCREEN_FILE)

    @classmethod
    def load(cls, directory: Path) -> CrisisScreen:  # type: ignore[override]
        return LinearTextClassifier.load.__func__(cls, directory / SCREEN_FILE)  # type: ignore[attr-defined]


def decide(
    probabilities: np.ndarray,
    classes: Sequence[str],
    thresholds: Thresholds,
    hit: Optional[Hit] = None,
    language: str = "en",
    layer: str = "model",
) -> Verdict:
    """One message's verdict from its probabilities (one row) and an explicit rule's hit, if any."""
    named = {c: float(p) for c, p in zip(classes, probabilities, strict=True)}
    risk = 1.0 - named.get(NONE, 0.0)
    crisis = {c: p for c, p in named.items() if c != NONE}
    category = max(crisis, key=crisis.__getitem__) if crisis else None
    zone = thresholds.zone(risk, category, crisis.get(category or "", 0.0))
    if hit is not None:
        # An explicit statement is handed off; its own category wins unless the
        # model is surer of another crisis category (an attempt named in passing).
        model_sure = category is not None and crisis[category] >= 0.5 and zone == HANDOFF
        return Verdict(HANDOFF, category if model_sure else hit.category, max(risk, thresholds.handoff),
                       "rule", language, hit.rule, named)
    return Verdict(zone, category if zone != NO_CRISIS else None, risk, layer, language, None, named)
