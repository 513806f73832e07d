"""Errors as clear 4xx answers: validation problems name their field, store errors map to
status codes, and database trouble is a 503 — never a stack trace in a 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from store.repo.errors import EmptyCart, InvalidInput, NotFound, OutOfStock, StoreError

log = logging.getLogger(__name__)


def field_error(location: str, field: str, message: str) -> RequestValidationError:
    """A 422 in FastAPI's own shape, naming the field (``location`` is query, path or body)."""
    return RequestValidationError(
        [{"loc": (location, field), "msg": message, "type": "value_error"}]
    )


def _json(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        status = {NotFound: 404, InvalidInput: 422, OutOfStock: 409, EmptyCart: 409}
        return _json(status.get(type(exc), 400), str(exc))

    @app.exception_handler(IntegrityError)
    async def integrity_error(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error: %s", str(exc).splitlines()[0])
        return _json(409, "the request conflicts with stored data")

    @app.exception_handler(DataError)
    async def data_error(_: Request, exc: DataError) -> JSONResponse:
        log.warning("data error: %s", str(exc).splitlines()[0])
        return _json(422, "a value is out of range for the store")

    @app.exception_handler(OperationalError)
    async def operational_error(_: Request, exc: OperationalError) -> JSONResponse:
        log.error("store unavailable: %s", str(exc).splitlines()[0])
        return JSONResponse(
            {"detail": "the store is unavailable, try again"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
