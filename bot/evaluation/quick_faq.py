"""A fast loop for whoever writes NLU data: fit the intent model in process and score the dev sets.

``make eval-faq ARGS=--quick`` fits the same classifier ``rasa train`` fits
(the same data, ``data/nlu/``, read as ``IntentModel.train`` reads it: every
intent the model learns, FAQ questions as ``faq/<topic>``; the same options
and thresholds, from config.yml's IntentModel entry) and scores the dev
families and the public questions with the same ``decide`` the server uses.
Sentence vectors come from ``quick_crisis.EmbeddingCache`` (``var/cache/``),
so only new lines are encoded on the next run.

The crisis zone of each message is skipped by default (every message counts
as "none": no crisis hand-off, so "out of scope handed to crisis" reads 0 and
means nothing); ``--crisis`` also fits the crisis model in process
(``quick_crisis.fit``, about a minute more) and applies its verdicts as
``make eval-faq`` does.

It never scores the test split (``tests/faq/test/``): a quick fit is for
choosing data and thresholds, and the test split is scored once, on the
trained archive, after they are frozen.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

import numpy as np

from bot.evaluation.quick_crisis import EmbeddingCache, component_config
from bot.understanding import faq_data

if TYPE_CHECKING:
    from bot.understanding.intent_component import IntentModel
    from bot.understanding.intent_model import IntentThresholds

COMPONENT = "bot.understanding.intent_component.IntentModel"
NO_CRISIS_NOTE = "crisis zones skipped (--crisis fits the crisis model too): no message is handed to crisis here"


class QuickModel:
    """The fitted intent component (and optionally the crisis model), scoring examples as ``evaluate_faq.score`` does."""

    def __init__(self, component: IntentModel, crisis: Optional[Any] = None) -> None:
        self.component = component
        self.crisis = crisis
        self.note = "crisis zones from the crisis model fitted in process" if crisis is not None else NO_CRISIS_NOTE

    @property
    def classes(self) -> List[str]:
        assert self.component.classifier is not None
        return list(self.component.classifier.classes)

    def zones(self, texts: Sequence[str]) -> List[str]:
        crisis = self.crisis
        if crisis is None:
            return ["none"] * len(texts)

        async def run() -> List[str]:
            return [((await crisis.parse_message(t)).get("crisis") or {}).get("zone") or "none" for t in texts]

        return asyncio.run(run())

    @property
    def thresholds(self) -> IntentThresholds:
        return self.component.thresholds

    def predict(self, examples: Sequence[faq_data.Example]) -> tuple[np.ndarray, List[str]]:
        """The intent model's probabilities and the crisis zone per example (``evaluate_faq`` decides the outcome)."""
        from bot.understanding.encoder import get_encoder

        assert self.component.classifier is not None
        texts = [e.text for e in examples]
        rows = self.component.classifier.predict_proba(texts, EmbeddingCache().encode(get_encoder(), texts))
        return rows, self.zones(texts)


def fit(config: Optional[Dict[str, Any]] = None, with_crisis: bool = False) -> QuickModel:
    from bot.understanding.encoder import get_encoder
    from bot.understanding.intent_component import IntentModel
    from bot.understanding.intent_model import IntentClassifier
    from bot.understanding.linear import ModelOptions

    started = time.monotonic()
    component = IntentModel(config if config is not None else component_config(name=COMPONENT), None, None)  # type: ignore[arg-type]
    examples = faq_data.train_examples()  # what IntentModel.train learns from
    texts, labels = [e.text for e in examples], [e.label for e in examples]
    embeddings = EmbeddingCache().encode(get_encoder(), texts)
    options = ModelOptions(c=float(component.config["c"]), char_ngrams=bool(component.config["char_ngrams"]),
                           word_ngrams=bool(component.config["word_ngrams"]))
    component.classifier = IntentClassifier(options, component.neighbour_options()).fit(texts, embeddings, labels)
    print(f"intent model fitted on {len(examples)} lines, {len(set(labels))} labels ({time.monotonic() - started:.0f} s)")
    crisis = None
    if with_crisis:
        from bot.evaluation import quick_crisis

        crisis = quick_crisis.fit()
    return QuickModel(component, crisis)
