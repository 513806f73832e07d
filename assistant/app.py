"""FastAPI application factory of the assistant gateway."""

from __future__ import annotations

from fastapi import FastAPI

from assistant.settings import GatewaySettings


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    app = FastAPI(title="Jangbogi assistant gateway", version="0.1.0")
    app.state.settings = settings

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
