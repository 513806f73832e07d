"""Voice fixtures: one speech engine per session (the model loads once), fake Rasa, fake tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.settings import GatewaySettings
from assistant.voice.recognizer import SpeechEngine, korean_model_path
from assistant.voice.vocabulary import CatalogText, gather_catalog_text, nlu_examples
from store.paths import project_root
from store.taxonomy import load_taxonomy

TOKENS = {"tok-good": "shopper-1", "tok-two": "shopper-2"}  # revoked tokens resolve to None
# A few listings in the demo catalog's style: brands and product lines beside the taxonomy.
PRODUCTS = [
    (
        "퍼실 파워젤 액체 세탁세제 3L",
        "Persil Power Gel Liquid Laundry Detergent 3L",
        "Persil",
        "liquid_laundry_detergent",
    ),
    (
        "깨끗한나라 3겹 화장지 30롤",
        "Clean Nara 3-ply Toilet Paper 30 rolls",
        "Kleannara",
        "toilet_paper",
    ),
    ("삼다수 생수 2L", "Samdasoo Water 2L", "Samdasoo", "bottled_water"),
    ("하기스 기저귀 60개입", "Huggies Diapers 60", "Huggies", "diapers"),
    ("다우니 섬유유연제 2.1L", "Downy Fabric Softener 2.1L", "Downy", "fabric_softener"),
]


def fixture_catalog(language: str) -> CatalogText:
    names = [
        (t.key, lang, n)
        for t in load_taxonomy().types
        for lang in ("ko", "en")
        for n in t.names(lang)
    ]
    return gather_catalog_text(
        PRODUCTS, names, nlu_examples(project_root() / "nlu", language), language
    )


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpeechEngine]:
    eng = SpeechEngine(
        model_paths={"ko": korean_model_path(), "en": None},
        catalog_loader=fixture_catalog,
        cache_dir=tmp_path_factory.mktemp("voice"),
        workers=2,
        min_conf=GatewaySettings().voice_min_conf,
    )
    yield eng
    eng.shutdown()


class FakeRasa:
    """Records what reached Rasa and answers like the REST channel."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.down = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        body = json.loads(request.content)
        self.calls.append(body)
        assert request.url.path == "/webhooks/rest/webhook"
        return httpx.Response(
            200,
            json=[{"recipient_id": body["sender"], "text": f"들었어요: {body['message']}"}],
        )


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


def make_settings(tmp: Path, **overrides: Any) -> GatewaySettings:
    # The session key file in the test's folder, never the project's var/.
    overrides.setdefault("session_key_file", tmp / "session.key")
    return GatewaySettings(voice_cache_dir=tmp, vosk_model_en=None, **overrides)


@pytest.fixture
def client(engine: SpeechEngine, rasa: FakeRasa, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        make_settings(tmp_path, stream_idle_s=1.0, stream_max_s=6.0),
        engine=engine,
        resolve_token=TOKENS.get,
        rasa_transport=httpx.MockTransport(rasa.handler),
        catalog_version=lambda: 1,
    )
    with TestClient(app) as c:
        yield c


AUTH = {"Authorization": "Bearer tok-good"}
