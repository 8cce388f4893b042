"""The sentence encoder as a Rasa dense featurizer: one encoding per message.

The vector is added as a sentence-level dense feature of the message's text,
under the alias ``sentence_encoder``. Every later component reads that same
vector (the crisis model through :func:`sentence_embedding`, the classifiers
through Rasa's feature handling), so a message is encoded exactly once.
"""

from __future__ import annotations

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

from bot.understanding.encoder import get_encoder

ALIAS = "sentence_encoder"


def sentence_embedding(message: Message, alias: str = ALIAS) -> Optional[np.ndarray]:
    """The encoder's vector for this message's text, if the featurizer ran."""
    for feature in message.features:
        if feature.origin == alias and feature.type == FEATURE_TYPE_SENTENCE and feature.attribute == TEXT:
            return np.asarray(feature.features, dtype=np.float32).reshape(-1)
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), FEATURIZER_CLASS_ALIAS: ALIAS}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        pass

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        get_encoder()  # load when the model loads, not on the first visitor's message

    @classmethod
    def create(
        cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> GraphComponent:
        return cls(config, execution_context.node_name)

    def _featurize(self, messages: List[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT) is not None and not m.features_present(TEXT, [self._identifier])]
        if not todo:
            return
        encoder = get_encoder()
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
