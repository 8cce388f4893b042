"""The sentence encoder as a Rasa dense featurizer: one encoding per message.

The vector is added as a sentence-level dense feature of the message's text,
under the alias ``sentence_encoder``. Every later component reads that same
vector (the crisis model through :func:`sentence_embedding`, the classifiers
through Rasa's feature handling), so a message is encoded exactly once.

With ``tune`` (config.yml), ``rasa train`` tunes the encoder on the intent
model's and the crisis model's training lines (``encoder_tuning``) and stores
the tuned export in the model archive: the archive carries the encoder its
classifiers were fitted on, and loading it makes that encoder the process's
(``bot.core.wiring``), which the crisis model also reads for the windows and
sentences of long messages.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import wiring
from bot.understanding import encoder_tuning
from bot.understanding.encoder import MANIFEST, ONNX_FILE, ROOT, SentenceEncoder, get_encoder

ALIAS = "sentence_encoder"


def sentence_embedding(message: Message, alias: str = ALIAS) -> Optional[np.ndarray]:
    """The encoder's vector for this message's text, if the featurizer ran."""
    for feature in message.features:
        if feature.origin == alias and feature.type == FEATURE_TYPE_SENTENCE and feature.attribute == TEXT:
            return np.asarray(feature.features, dtype=np.float32).reshape(-1)
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            FEATURIZER_CLASS_ALIAS: ALIAS,
            # False: the verified upstream encoder as it is (var/encoder), nothing stored in the archive.
            "tune": False,
            "faq_data": "data/nlu",
            "crisis_data": "data/crisis/model",
            **asdict(encoder_tuning.TuningOptions()),
        }

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    def __init__(self, config: Dict[str, Any], name: str, model_storage: Optional[ModelStorage] = None,
                 resource: Optional[Resource] = None, encoder: Optional[SentenceEncoder] = None) -> None:
        super().__init__(name, {**self.get_default_config(), **config})
        self._storage, self._resource = model_storage, resource
        self._encoder = encoder

    @property
    def encoder(self) -> SentenceEncoder:
        # The training graph's featurizer only tunes and stores: it never opens the frozen encoder.
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    @classmethod
    def create(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> GraphComponent:
        return cls(config, execution_context.node_name, model_storage, resource)

    @classmethod
    def load(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext, **kwargs: Any,
    ) -> GraphComponent:
        encoder = None
        try:
            with model_storage.read_from(resource) as directory:
                if (Path(directory) / ONNX_FILE).exists():
                    encoder = SentenceEncoder(Path(directory))  # reads every file now: nothing is opened later
        except ValueError:  # an untuned featurizer stored nothing
            pass
        if encoder is not None:
            wiring.put("encoder", encoder)
        # Loaded with the model, not on the first visitor's message.
        return cls(config, execution_context.node_name, model_storage, resource, encoder or get_encoder())

    @classmethod
    def tuning_options(cls, config: Dict[str, Any]) -> encoder_tuning.TuningOptions:
        """The tuning options a featurizer config asks for (the rest from the defaults)."""
        config = {**cls.get_default_config(), **config}
        defaults = asdict(encoder_tuning.TuningOptions())
        return encoder_tuning.TuningOptions(**{name: type(value)(config[name]) for name, value in defaults.items()})

    @classmethod
    def tuned_directory(cls, config: Dict[str, Any]) -> Optional[Path]:
        """The encoder tuned as ``config`` asks, on its training lines (tuned now unless cached); None untuned.

        ``rasa train`` and the quick dev loops both come here, so they read one and the same encoder.
        """
        config = {**cls.get_default_config(), **config}
        if not config["tune"]:
            return None
        lines = encoder_tuning.project_lines(ROOT / config["faq_data"], ROOT / config["crisis_data"])
        return encoder_tuning.tuned_encoder_dir(lines, cls.tuning_options(config))

    def train(self, training_data: TrainingData) -> Resource:
        """Tune the encoder (or take the one tuned on the same lines) and store its export in the archive."""
        if self._storage is None or self._resource is None:
            raise RuntimeError("the featurizer was not created by the training graph")
        tuned = self.tuned_directory(self._config)
        if tuned is None:
            return self._resource
        with self._storage.write_to(self._resource) as directory:
            for name in (ONNX_FILE, MANIFEST, *encoder_tuning.KEPT):
                shutil.copy(tuned / name, Path(directory) / name)
        return self._resource

    def _featurize(self, messages: List[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT) is not None and not m.features_present(TEXT, [self._identifier])]
        if not todo:
            return
        encoder = self.encoder
        # A parsed message comes alone: the per-message path, which remembers short repeated texts.
        vectors = [encoder.encode_one(todo[0].get(TEXT))] if len(todo) == 1 else encoder.encode([m.get(TEXT) for m in todo])
        for message, vector in zip(todo, vectors, strict=True):
            self.add_features_to_message(None, vector[np.newaxis, :], TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data
