"""FastAPI application factory of the seller API (``uvicorn seller_api.main:create_app
--factory``): routes under ``/v1`` for a seller's own data, behind ``X-API-Key``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from seller_api import errors
from seller_api.api.deps import get_store_engine
from seller_api.api.routes import account, ads, customers, insights, products, tags
from seller_api.dashboard import routes as dashboard
from seller_api.limits import BodySizeLimit, new_rate_limiter
from seller_api.settings import SellerApiSettings, get_settings

DESCRIPTION = (
    "Jangbogi's API for sellers: list products (searchable at once), tag suggestions, related "
    "products, buyer insights and ad ROAS. Every request needs the seller's `X-API-Key` and "
    "answers with that seller's data only."
)


def create_app(settings: SellerApiSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # 1.1.0: GET /v1/me, each tag's reason and figures, the loyal audience segment (additive).
    app = FastAPI(title="Jangbogi seller API", version="1.1.0", description=DESCRIPTION)
    app.state.rate_limiter = new_rate_limiter(
        settings.rate_per_second, settings.rate_burst, settings.redis_url
    )
    app.dependency_overrides[get_settings] = lambda: settings
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    errors.install(app)
    for module in (account, products, tags, insights, customers, ads):
        app.include_router(module.router)
    # The seller dashboard: a page over the same /v1 endpoints (no data of its own).
    app.include_router(dashboard.router)

    @app.get("/health", tags=["health"])
    def health() -> JSONResponse:
        # The API is useless without its store: report it, so a health check catches a bad URL.
        engine = app.dependency_overrides.get(get_store_engine, get_store_engine)()
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            detail = str(exc).splitlines()[0]
            return JSONResponse({"status": "unavailable", "store": detail}, status_code=503)
        return JSONResponse({"status": "ok", "store": "ok"})

    return app
