"""The shopper page: `GET /` serves it and binds the browser to a shopper with a session cookie;
`/static/…` its script and style (package data in assistant/web/); `GET /v1/session` says who the
page is talking as.

The first visit creates an anonymous, cold-start shopper. In demo mode `/?shopper=u00001` switches
the browser to a shopper the store knows; outside demo mode that is refused with a page saying so,
since otherwise anyone could read and order on anyone's account.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine

from assistant.api.deps import session_shopper, settings_of, shopper_of, signer_of, store_engine
from assistant.session import ANONYMOUS_PREFIX, COOKIE, new_anonymous_id
from assistant.settings import GatewaySettings

router = APIRouter(tags=["web"])
WEB_DIR = Path(__file__).resolve().parents[1] / "web"
# Only the gateway itself: no CDN, no font host, no analytics. Recorded audio plays from blob:.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_shopper(engine: Engine, shopper: str) -> None:
    from store.db import transaction
    from store.repo.shoppers import get_or_create_shopper

    with transaction(engine) as s:
        get_or_create_shopper(s, shopper)


def shopper_exists(engine: Engine, shopper: str) -> bool:
    from store.db import session_factory
    from store.models import Shopper

    with session_factory(engine)() as s:
        return s.get(Shopper, shopper) is not None


def set_session(request: Request, response: Response, shopper: str) -> None:
    settings: GatewaySettings = request.app.state.settings
    response.set_cookie(
        COOKIE,
        signer_of(request).sign(shopper),
        max_age=settings.session_max_age_s,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def problem_page(status: int, title: str, message: str) -> HTMLResponse:
    """A page a person can read (never JSON or a trace) with a way back."""
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Jangbogi</title><link rel="stylesheet" href="/static/app.css"></head>
<body><main class="problem"><h1>{html.escape(title)}</h1>
<p data-testid="error" role="alert">{html.escape(message)}</p>
<p><a href="/">Open the shopping assistant / 장보기 도우미 열기</a></p></main></body></html>
"""
    return HTMLResponse(body, status_code=status, headers=PAGE_HEADERS)


@router.get("/", include_in_schema=False, response_model=None)
async def page(
    request: Request,
    settings: Annotated[GatewaySettings, Depends(settings_of)],
    shopper: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    engine = store_engine(request)
    if shopper is not None:
        if not settings.demo_mode:
            return problem_page(
                403, "Not available",
                "Choosing a shopper with ?shopper= works only in demo mode (JANGBOGI_DEMO_MODE=1, "
                "as `make demo` runs). This browser keeps its own shopper: open / instead.",
            )  # fmt: skip
        if not await run_in_threadpool(shopper_exists, engine, shopper):
            return problem_page(404, "No such shopper", f"The store has no shopper {shopper!r}.")
        # Redirect so a reload or a shared link does not carry the choice along.
        switched = RedirectResponse("/", status_code=303, headers=PAGE_HEADERS)
        set_session(request, switched, shopper)
        return switched
    response = HTMLResponse((WEB_DIR / "index.html").read_text(), headers=PAGE_HEADERS)
    current = session_shopper(request)
    if current is None:
        current = new_anonymous_id()
        await run_in_threadpool(create_shopper, engine, current)
    set_session(request, response, current)  # re-signed: the session lasts while it is used
    return response


@router.get("/v1/session", tags=["web"], summary="The shopper this browser or device talks as")
async def session(
    request: Request,
    settings: Annotated[GatewaySettings, Depends(settings_of)],
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, object]:
    shopper = await shopper_of(request, authorization)
    return {
        "shopper": shopper,
        "anonymous": shopper.startswith(ANONYMOUS_PREFIX),
        "demo_mode": settings.demo_mode,
        "max_chars": settings.chat_max_chars,
    }
