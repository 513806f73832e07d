"""``GET /dashboard``: the page, its own scripts and styles (package data) and the vendored
Chart.js (the vendor dir). No data passes through here: the page signs in with the seller's key
and calls the ``/v1`` endpoints like any API client."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, Response

from seller_api.api.deps import SettingsDep
from seller_api.dashboard import vendor

router = APIRouter(prefix="/dashboard", include_in_schema=False)

# The page may load and call nothing but this server, run no inline script, and not be framed
# (the API key lives in its session storage).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
ASSET_NAME = re.compile(r"^[a-z0-9-]+\.(?:js|css)$")


def static_dir() -> Path:
    return Path(str(files("seller_api.dashboard") / "static"))


@lru_cache(maxsize=1)
def _assets() -> dict[str, Path]:
    """The page's own files by name: only these are served, so no path reaches elsewhere."""
    return {p.name: p for p in static_dir().iterdir() if ASSET_NAME.match(p.name)}


def _file(path: Path, **extra: str) -> FileResponse:
    return FileResponse(
        path, media_type=MEDIA_TYPES[path.suffix], headers={**SECURITY_HEADERS, **extra}
    )


@router.get("")
def page() -> FileResponse:
    return _file(static_dir() / "dashboard.html")


@router.get("/static/{name}")
def asset(name: str) -> FileResponse:
    path = _assets().get(name)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no dashboard file {name!r}")
    return _file(path)


@lru_cache(maxsize=1)
def _pins() -> tuple[vendor.Library, ...]:
    return tuple(vendor.load_pins())


@router.get("/vendor/{name}")
def vendored(name: str, settings: SettingsDep) -> Response:
    """A pinned library from the vendor dir, served only while it matches its sha256; missing
    or changed, the answer says which command puts it right."""
    lib = next((lib for lib in _pins() if lib.file == name), None)
    if lib is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no vendored library {name!r}")
    folder = settings.vendor_dir or vendor.default_vendor_dir()
    state = vendor.status(lib, folder)
    if state == "missing":
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"{lib.label} is not installed in {folder}: run `{vendor.VENDOR_COMMAND}`",
        )
    if state == "mismatch":
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"{folder / lib.file} does not match the pinned {lib.label}: "
            f"run `{vendor.VENDOR_COMMAND}` to replace it",
        )
    return _file(folder / lib.file)
