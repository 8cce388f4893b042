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

import pickle
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import scipy.sparse as sp

from bot.understanding.crisis_data import CATEGORIES, NONE
from bot.understanding.crisis_rules import Hit

HANDOFF, CHECK_IN, NO_CRISIS = "handoff", "check_in", "none"
MODEL_FILE = "crisis_model.pkl"


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

    def zone(self, risk: float, category: Optional[str] = None, category_p: float = 0.0) -> str:
        if risk >= self.handoff:
            return HANDOFF
        if risk >= self.check_in:
            return HANDOFF if category in URGENT_CATEGORIES and category_p >= self.urgent_share * risk else CHECK_IN
        return NO_CRISIS


@dataclass
class Verdict:
    zone: str
    category: Optional[str]
    risk: float
    layer: str  # "model", "rule" or "context" (earlier turns of the session)
    language: str = "en"
    rule: Optional[str] = None
    probabilities: Dict[str, float] = field(default_factory=dict)

    def as_output(self) -> Dict[str, Any]:
        """What goes into the parse data (and so the tracker): no text, rounded numbers."""
        out = asdict(self)
        out["risk"] = round(self.risk, 4)
        out["probabilities"] = {k: round(v, 4) for k, v in self.probabilities.items() if v >= 0.01}
        return out


@dataclass
class ModelOptions:
    c: float = 4.0
    char_ngrams: bool = True
    word_ngrams: bool = True
    max_char_features: int = 40000
    embedding_weight: float = 1.0
    class_weight: Optional[str] = "balanced"
    max_iter: int = 3000


class CrisisClassifier:
    """Embedding + character n-grams -> P(category), with ``none`` as one class."""

    def __init__(self, options: ModelOptions | None = None) -> None:
        self.options = options or ModelOptions()
        self.vectorizer: Any = None
        self.words: Any = None
        self.model: Any = None

    @property
    def classes(self) -> List[str]:
        return list(self.model.classes_)

    def _features(self, texts: Sequence[str], embeddings: np.ndarray, fit: bool = False) -> Any:
        blocks = [sp.csr_matrix(np.asarray(embeddings, dtype=np.float64) * self.options.embedding_weight)]
        if fit:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.vectorizer = TfidfVectorizer(
                analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                max_features=self.options.max_char_features, strip_accents="unicode", lowercase=True,
            ) if self.options.char_ngrams else None
            self.words = TfidfVectorizer(
                ngram_range=(1, 2), min_df=2, sublinear_tf=True, strip_accents="unicode", lowercase=True,
            ) if self.options.word_ngrams else None
        for vectorizer in (self.vectorizer, self.words):
            if vectorizer is not None:
                blocks.append(vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts))
        return sp.hstack(blocks, format="csr")

    def fit(self, texts: Sequence[str], embeddings: np.ndarray, labels: Sequence[str]) -> CrisisClassifier:
        from sklearn.linear_model import LogisticRegression

        unknown = set(labels) - set(CATEGORIES) - {NONE}
        if unknown:
            raise ValueError(f"unknown crisis labels: {sorted(unknown)}")
        self.model = LogisticRegression(
            C=self.options.c, max_iter=self.options.max_iter, class_weight=self.options.class_weight,
        )
        self.model.fit(self._features(texts, embeddings, fit=True), list(labels))
        return self

    def predict_proba(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """P(class) per text: scikit-learn's multinomial softmax, computed block by block.

        Same numbers as ``self.model.predict_proba`` on the stacked features (a
        unit test checks it), without building the stacked sparse matrix: on
        the per-message path that saves about a millisecond.
        """
        coef, dims = self.model.coef_, np.asarray(embeddings, dtype=np.float64).shape[1]
        scores = (np.asarray(embeddings, dtype=np.float64) * self.options.embedding_weight) @ coef[:, :dims].T
        start = dims
        for vectorizer in (self.vectorizer, self.words):
            if vectorizer is not None:
                block = vectorizer.transform(texts)
                scores += np.asarray(block @ coef[:, start : start + block.shape[1]].T)
                start += block.shape[1]
        scores += self.model.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    def predict_proba_reference(self, texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
        """scikit-learn's own computation, for the test that the fast path equals it."""
        return self.model.predict_proba(self._features(texts, embeddings))

    def risk(self, probabilities: np.ndarray) -> np.ndarray:
        """1 - P(none), row by row."""
        return 1.0 - probabilities[:, self.classes.index(NONE)]

    def save(self, directory: Path) -> None:
        with (directory / MODEL_FILE).open("wb") as fh:
            pickle.dump({"options": self.options, "vectorizer": self.vectorizer, "words": self.words, "model": self.model}, fh)

    @classmethod
    def load(cls, directory: Path) -> CrisisClassifier:
        with (directory / MODEL_FILE).open("rb") as fh:
            state = pickle.load(fh)  # noqa: S301 - our own file, inside the trained model archive
        classifier = cls(state["options"])
        classifier.vectorizer, classifier.words, classifier.model = state["vectorizer"], state.get("words"), state["model"]
        return classifier


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
