"""Shared plumbing for the project's stateless NLU components."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class MessageComponent(GraphComponent):
    """A component with no training: it only annotates messages at parse time.

    Abstract in spirit (subclasses implement ``process_one``); not registered
    with the recipe itself, so Rasa never lists it as usable.
    """

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.process_one(message)
        return messages

    def process_one(self, message: Message) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def add_entity(self, message: Message, entity: str, value: str) -> None:
        text = message.get("text") or ""
        entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != entity]
        entities.append(
            {"entity": entity, "value": value, "start": 0, "end": len(text), "confidence": 1.0, "extractor": self.__class__.__name__}
        )
        message.set(ENTITIES, entities, add_to_output=True)
