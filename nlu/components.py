"""Custom Rasa NLU component: rule-based shopping entities (see nlu/entities.py).

Intents are classified by nlu/intents.py; entities come from rules because their values must be
exact (taxonomy keys, quantities, prices) and the same rules serve both languages without
annotated spans.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.entities import ShoppingEntities
from retrieval.query import QueryParser
from store.taxonomy import load_taxonomy

BRANDS_FILE = Path(__file__).resolve().parent / "brands.json"


def shopping_entities(brands_file: str | None = None) -> ShoppingEntities:
    """The rule entity extractor over the taxonomy and the brands file."""
    path = Path(brands_file or BRANDS_FILE)
    brands = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return ShoppingEntities(QueryParser(load_taxonomy(), brands))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ShoppingEntityExtractor(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"brands_file": str(BRANDS_FILE)}

    def __init__(self, config: dict[str, Any]) -> None:
        self._entities = shopping_entities(config.get("brands_file"))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ShoppingEntityExtractor:
        return cls(config)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ShoppingEntityExtractor:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text: str | None = message.get(TEXT)
            if not text:
                continue
            found = [
                {"entity": e.entity, "value": e.value, "start": e.start, "end": e.end}
                for e in self._entities.extract(text)
            ]
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(found),
                add_to_output=True,
            )
        return messages
