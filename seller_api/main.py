"""FastAPI application factory of the seller API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from store.db import get_engine


def create_app() -> FastAPI:
    app = FastAPI(title="Jangbogi seller API", version="0.1.0")

    @app.get("/health", tags=["health"])
    def health() -> JSONResponse:
        # The API is useless without its store: report it, so a health check catches a bad URL.
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            detail = str(exc).splitlines()[0]
            return JSONResponse({"status": "unavailable", "store": detail}, status_code=503)
        return JSONResponse({"status": "ok", "store": "ok"})

    return app
