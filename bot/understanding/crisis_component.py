"""The crisis model as a Rasa component: trained by ``rasa train``, the last word on every message.

Training reads the crisis model's own families (``data/crisis/model/``, not
Rasa NLU data: crisis is not an intent of the FAQ classifier) and stores the
fitted model in the model archive. At parse time it reads the message's
embedding (computed once by ``SentenceEncoderFeaturizer``), applies the
explicit-statement rules, weighs the last turns of the session, and sets:

- intent ``crisis`` + entity ``crisis_category`` for a hand-off;
- intent ``crisis_check_in`` for a direct check-in;
- otherwise it takes back a ``crisis``/``crisis_check_in`` guess of the FAQ
  classifier (the next intent, or the fallback).

``message["crisis"]`` carries the verdict (zone, category, risk, layer,
language; no text) into the tracker, where the next turns' memory reads it.
The rules in data/rules/crisis.yml then answer inside the Rasa process.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import wiring
from bot.understanding import crisis_data
from bot.understanding.crisis_model import (
    CHECK_IN,
    HANDOFF,
    NO_CRISIS,
    SCREEN_FILE,
    ZONE_RANK,
    CrisisClassifier,
    CrisisScreen,
    ModelOptions,
    Thresholds,
    Verdict,
    decide,
)
from bot.understanding.crisis_rules import get_rules
from bot.understanding.encoder import get_encoder
from bot.understanding.featurizer import sentence_embedding
from bot.understanding.windows import pieces, sentences, without_repeats

logger = logging.getLogger(__name__)

CRISIS_INTENT = "crisis"
CHECK_IN_INTENT = "crisis_check_in"
FALLBACK_INTENT = "nlu_fallback"
OUTPUT_KEY = "crisis"
# Set on the message's metadata by the server from the tracker (bot.runtime.patches),
# replacing anything a client sent under this name.
CONTEXT_KEY = "crisis_context"
# Replies that move the conversation along (a yes or no to the check-in or to
# "keep talking?", thanks, "you misunderstood", the helpline buttons): the rules
# answer them, and reading them with the turn before would only repeat the
# hand-off the person just had.
# Not "goodbye": a farewell after talk of being a burden is itself a warning sign
# ("anyway, i think i'm ready now" reads as a goodbye to the intent model); a
# plain "bye" carries too little risk of its own to be joined with anything.
FLOW_INTENTS = frozenset({
    "affirm", "deny", "thank", "greet", "bot_challenge", "crisis_misunderstood",
    "crisis_more_resources", "crisis_help_now", "delete_my_data",
})
# After "keep talking", what the visitor writes is received (intent crisis_share,
# a reply that reflects it) unless it is one of these, or a question.
SHARE_INTENT = "crisis_share"
# A "yes", "ok" or "thanks" is received too: elsewhere they would bring the topic menu.
NOT_A_SHARE = frozenset({
    "goodbye", "bot_challenge", "crisis_misunderstood", "crisis_more_resources", "crisis_help_now", "delete_my_data",
    "inform_region", "human_handoff",
})
QUESTION = re.compile(r"\?\s*$|^\s*(what|how|why|when|where|who|which|can|could|do|does|is|are|should|will|would)\b", re.I)
# A button's payload ("/affirm", "/faq/cbt") carries no words of the visitor's:
# only the explicit-statement rules read it (so a typed "/kms" still counts).
BARE_PAYLOAD = re.compile(r"^\s*/[A-Za-z_]+(?:/[A-Za-z0-9_]+)?\s*$")
# The encoder reads 256 word pieces (about 1,000 characters): a longer message is
# also read in windows of this many characters, and its most concerning one counts.
WINDOW_CHARS = 600


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CrisisModel(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Chosen on the dev set (make eval-crisis --choose), then frozen.
            "handoff_threshold": 0.5,
            "check_in_threshold": 0.2,
            # An attempt or immediate danger holding this share of the risk is
            # handed off from the check-in zone (see crisis_model.URGENT_CATEGORIES).
            "urgent_share": 0.5,
            # One sentence of a longer message at or above this risk brings a check-in
            # (crisis_model.Thresholds.sentence_zone); above 1: sentences are not read alone.
            "sentence_check_in_threshold": 1.01,
            # An earlier turn of the session at or above this risk makes the
            # current message (if at or above it too) be read together with it.
            "memory_min_risk": 0.1,
            "memory_turns": 2,
            # Below it, the runner-up of a taken-back crisis intent is no answer: fall back.
            "demote_min_confidence": 0.2,
            "data": str(crisis_data.TRAIN_DIR.relative_to(crisis_data.ROOT)),
            # The n-gram screen the channels run on every message when the server is
            # full (crisis_model.CrisisScreen): risk at or above this lets a message in.
            # Chosen on the dev set for recall (make eval-crisis --choose), then frozen.
            "screen_threshold": 0.1,
            "c": ModelOptions.c,
            "char_ngrams": ModelOptions.char_ngrams,
            "word_ngrams": ModelOptions.word_ngrams,
        }

    def __init__(
        self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
        classifier: Optional[CrisisClassifier] = None, screen: Optional[CrisisScreen] = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self.screen = screen
        self.thresholds = Thresholds(
            self.config["handoff_threshold"], self.config["check_in_threshold"], self.config["urgent_share"],
            float(self.config["sentence_check_in_threshold"]),
        )
        self._storage, self._resource = model_storage, resource
        self.classifier = classifier
        get_rules()

    @classmethod
    def create(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> CrisisModel:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> CrisisModel:
        with model_storage.read_from(resource) as directory:
            classifier = CrisisClassifier.load(Path(directory))
            # An archive trained before the screen existed has none: the channels then use the rules and the model.
            screen = CrisisScreen.load(Path(directory)) if (Path(directory) / SCREEN_FILE).exists() else None
        component = cls(config, model_storage, resource, classifier, screen)
        wiring.put("crisis_model", component)  # the channels screen over-long messages with it
        return component

    # -- training -------------------------------------------------------------
    def train(self, training_data: TrainingData) -> Resource:
        examples = crisis_data.load(crisis_data.ROOT / self.config["data"])
        if not examples:
            raise ValueError(f"no crisis training data in {self.config['data']}")
        # Everything the FAQ classifier learns from is everyday traffic: not a crisis.
        examples += crisis_data.from_nlu_examples(
            (m.get("intent") or "", m.get("text") or "") for m in training_data.intent_examples
        )
        texts = [e.text for e in examples]
        classifier, screen = self.fit(texts, self._vectors(texts, training_data), [e.category for e in examples])
        with self._storage.write_to(self._resource) as directory:
            classifier.save(Path(directory))
            screen.save(Path(directory))
        return self._resource

    @staticmethod
    def _vectors(texts: List[str], training_data: TrainingData) -> np.ndarray:
        """Each text's vector: the featurizer's where it already encoded that text, the encoder's for the rest.

        A third of the lines are the NLU examples, which the featurizer encoded
        just before; encoding them again was a minute of every training.
        """
        known = {}
        for message in training_data.intent_examples:
            vector = sentence_embedding(message)
            if vector is not None and message.get(TEXT):
                known[message.get(TEXT)] = vector
        missing = sorted({text for text in texts if text not in known})
        known.update(zip(missing, get_encoder().encode(missing), strict=True))
        return np.stack([known[text] for text in texts]).astype(np.float32)

    def fit(self, texts: List[str], embeddings: np.ndarray, labels: List[str]) -> tuple[CrisisClassifier, CrisisScreen]:
        """The model and its n-gram screen, from the same examples (``rasa train`` and the quick dev loop)."""
        options = ModelOptions(c=float(self.config["c"]), char_ngrams=bool(self.config["char_ngrams"]),
                               word_ngrams=bool(self.config["word_ngrams"]))
        classifier = CrisisClassifier(options).fit(texts, embeddings, labels)
        screen = CrisisScreen(ModelOptions(c=options.c, embedding=False)).fit(texts, None, labels)
        self.classifier, self.screen = classifier, screen
        return classifier, screen

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # -- parsing --------------------------------------------------------------
    def assess(self, text: str, embedding: Optional[np.ndarray] = None, by_sentence: bool = True) -> Verdict:
        """The verdict on one text alone (no conversation memory): the whole, a long text's windows, its sentences."""
        if self.classifier is None:
            raise RuntimeError("the crisis model is not trained")
        reading = without_repeats(text)
        if reading != text:  # the featurizer's vector is of the text with its repeats
            text, embedding = reading, None
        texts = [text] + (pieces(text, WINDOW_CHARS) if len(text) > WINDOW_CHARS else [])
        if embedding is not None and len(texts) == 1:
            vectors = embedding[np.newaxis, :]
        else:
            vectors = get_encoder().encode(texts)
        rows = self.classifier.predict_proba(texts, vectors)
        rules = get_rules()
        hits = [rules.match(part) for part in texts]
        language = rules.language(text, hits[0])
        verdicts = [
            decide(row, self.classifier.classes, self.thresholds, hit, language)
            for hit, row in zip(hits, rows, strict=True)
        ]
        verdict = max(verdicts, key=lambda v: (ZONE_RANK[v.zone], v.risk))
        if by_sentence and verdict.zone != HANDOFF and self.thresholds.sentence_check_in <= 1.0:
            return self.by_sentence(text, verdict)
        return verdict

    def by_sentence(self, text: str, verdict: Verdict) -> Verdict:
        """``verdict``, raised to what the most concerning sentence brings (Thresholds.sentence_zone), if higher."""
        assert self.classifier is not None
        parts = sentences(text)
        if len(parts) < 2:
            return verdict
        rows = self.classifier.predict_proba(parts, get_encoder().encode(parts))
        worst = int(np.argmax(self.classifier.risk(rows)))
        named = {c: float(p) for c, p in zip(self.classifier.classes, rows[worst], strict=True)}
        risk = 1.0 - named.get(crisis_data.NONE, 0.0)
        category = max((c for c in named if c != crisis_data.NONE), key=named.__getitem__)
        verdict.sentence = (risk, category, named[category])
        zone = self.thresholds.sentence_zone(risk, category, named[category])
        if ZONE_RANK[zone] <= ZONE_RANK[verdict.zone]:
            return verdict
        return Verdict(zone, category, risk, "sentence", verdict.language, None, named, verdict.sentence, verdict.risk)

    def screen_risk(self, text: str) -> Optional[float]:
        """The n-gram screen's risk for one text (None when the archive has no screen)."""
        if self.screen is None:
            return None
        return float(self.screen.risk(self.screen.predict_proba([text], None))[0])

    def screens_in(self, text: str) -> Optional[bool]:
        """Whether the cheap screen finds ``text`` concerning enough to admit (None: no screen in this archive)."""
        risk = self.screen_risk(text)
        return None if risk is None else risk >= float(self.config["screen_threshold"])

    def most_concerning(self, texts: List[str]) -> Optional[str]:
        """The text among ``texts`` whose verdict is the most concerning, if any raises concern."""
        scored = [(self.assess(t), t) for t in texts]
        verdict, text = max(scored, key=lambda pair: (ZONE_RANK[pair[0].zone], pair[0].risk), default=(None, None))
        return text if verdict is not None and verdict.zone != NO_CRISIS else None

    def with_memory(self, message: Message, verdict: Verdict) -> Verdict:
        """Read the message together with the session's last turns that raised some concern."""
        if verdict.zone == HANDOFF:
            return verdict
        metadata = message.get("metadata")
        context = metadata.get(CONTEXT_KEY) if isinstance(metadata, dict) else None
        if not isinstance(context, dict):
            return verdict
        flow = (message.get(INTENT) or {}).get("name") in FLOW_INTENTS and verdict.zone == NO_CRISIS
        if flow or verdict.risk < self.config["memory_min_risk"]:
            # A reply that moves the conversation on (unless it is itself of concern:
            # "ok, i'm ready now" reads as a yes), or a message with no concern of its own.
            return verdict
        turns = [
            t for t in (context.get("turns") or [])[-int(self.config["memory_turns"]):]
            if isinstance(t, dict) and isinstance(t.get("text"), str)
            and isinstance(t.get("risk"), (int, float)) and t["risk"] >= self.config["memory_min_risk"]
            # After a hand-off the person has the numbers: a new message is read with it
            # again only when it would itself be checked in on ("i'm ready now").
            and (t.get("zone") != HANDOFF or verdict.risk >= self.thresholds.check_in)
        ]
        if not turns:
            return verdict
        joined = " ".join([*(t["text"] for t in turns), message.get(TEXT) or ""])
        # Not by sentence: an earlier turn's sentence had its own reading, and would ask again after a "no".
        together = self.assess(joined, by_sentence=False)
        last = (context.get("turns") or [None])[-1]
        if (together.zone == CHECK_IN and isinstance(last, dict) and last.get("zone") == CHECK_IN
                and not QUESTION.search(message.get(TEXT) or "")):
            # The check-in was just asked, and the reply is neither a yes nor a no (those are flow
            # intents, left above) nor a question (the check-in answers it after a "no"), but more
            # of the same concern: it is handed off, not asked twice.
            together.zone = HANDOFF
        if ZONE_RANK[together.zone] > ZONE_RANK[verdict.zone]:
            together.layer, together.language = "context", verdict.language
            return together
        return verdict

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if BARE_PAYLOAD.match(text):
                verdict = self.payload_verdict(text)
            else:
                verdict = self.with_memory(message, self.assess(text, sentence_embedding(message)))
            self.apply(message, verdict)
        return messages

    def payload_verdict(self, text: str) -> Verdict:
        hit = get_rules().match(text.replace("/", " "))
        if hit is None:
            return Verdict(NO_CRISIS, None, 0.0, "payload")
        return Verdict(HANDOFF, hit.category, 1.0, "rule", hit.language, hit.rule)

    @staticmethod
    def is_share(message: Message, verdict: Verdict) -> bool:
        """After "keep talking": words that are not a hand-off, a flow reply or a question are received as they are.

        A check-in verdict is received too: the person already has the numbers,
        and the reply that receives them repeats the main one.
        """
        metadata = message.get("metadata")
        context = metadata.get(CONTEXT_KEY) if isinstance(metadata, dict) else None
        if not (isinstance(context, dict) and context.get("listening") is True) or verdict.zone == HANDOFF:
            return False
        text = message.get(TEXT) or ""
        if BARE_PAYLOAD.match(text) or QUESTION.search(text):
            return False
        return (message.get(INTENT) or {}).get("name") not in NOT_A_SHARE

    def apply(self, message: Message, verdict: Verdict) -> None:
        message.set(OUTPUT_KEY, verdict.as_output(), add_to_output=True)
        if self.is_share(message, verdict):
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in (CRISIS_INTENT, CHECK_IN_INTENT)]
            top = {"name": SHARE_INTENT, "confidence": 1.0}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
            message.set(ENTITIES, [e for e in message.get(ENTITIES) or [] if e.get("entity") != "faq_topic"], add_to_output=True)
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in (CRISIS_INTENT, CHECK_IN_INTENT)]
        if verdict.zone == NO_CRISIS:
            if (message.get(INTENT) or {}).get("name") in (CRISIS_INTENT, CHECK_IN_INTENT):
                ranking = [r for r in ranking if r.get("name") != FALLBACK_INTENT]
                best = ranking[0] if ranking and ranking[0].get("confidence", 0) >= self.config["demote_min_confidence"] else None
                message.set(INTENT, best or {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            return
        text = message.get(TEXT) or ""
        if text.lstrip().startswith("/"):
            # Rasa reads "/intent" after every component and would drop this verdict.
            message.set(TEXT, text.lstrip()[1:])
        top = {"name": CRISIS_INTENT if verdict.zone == HANDOFF else CHECK_IN_INTENT, "confidence": round(verdict.risk, 4)}
        message.set(INTENT, top, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
        if verdict.zone == HANDOFF:
            # A crisis is not a question about a topic: "tell me more" keeps the topic asked before.
            message.set(ENTITIES, [e for e in message.get(ENTITIES) or [] if e.get("entity") != "faq_topic"], add_to_output=True)
        if verdict.zone == HANDOFF and verdict.category:
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != "crisis_category"]
            entities.append({"entity": "crisis_category", "value": verdict.category, "start": 0, "end": len(text),
                             "confidence": 1.0, "extractor": type(self).__name__})
            message.set(ENTITIES, entities, add_to_output=True)
