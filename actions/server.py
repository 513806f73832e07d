"""Start the rasa-sdk action server bound to loopback (rasa-sdk's own CLI binds 0.0.0.0).

It answers only Rasa: rasa-sdk trusts whatever tracker it is sent (sender, slots, cart), so every
call but ``GET /health`` must carry ``Authorization: Bearer <JANGBOGI_ACTION_TOKEN>``, which
Rasa sends (endpoints.yml) and `jangbogi serve` hands to both.
"""

from __future__ import annotations

import argparse
import hmac
import os
from typing import Any

TOKEN_ENV = "JANGBOGI_ACTION_TOKEN"
OPEN_PATHS = ("/health",)


def refusal(path: str, authorization: str | None, token: str) -> str | None:
    """Why a request may not reach the actions, or None when it may."""
    if path in OPEN_PATHS:
        return None
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return f"missing token: the action server answers only Rasa (Bearer ${TOKEN_ENV})"
    if not hmac.compare_digest(given.encode(), token.encode()):
        return f"wrong token: Rasa and the action server must share {TOKEN_ENV}"
    return None


def warm() -> None:
    """Load the search model and index before the server binds, so the health check (and
    `jangbogi serve`'s "all services up") waits for them instead of the first shopper. A failure
    here (no index yet, store down) is logged: the actions answer with an apology and retry."""
    import logging

    from actions.api.services import warm_up

    try:
        warm_up()
    except Exception:  # the server must still start; each turn then says what is wrong
        logging.getLogger(__name__).exception("search warm-up failed; continuing without it")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Jangbogi action server")
    parser.add_argument("--host", default=os.environ.get("JANGBOGI_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("JANGBOGI_ACTION_PORT", 5055))
    )
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "")
    if len(token) < 32:  # fail closed: an action server without a token would answer anyone
        parser.error(f"{TOKEN_ENV} must be set (32+ characters); `jangbogi serve` sets it")
    serve(args.host, args.port, token)


def serve(host: str, port: int, token: str) -> None:
    """rasa-sdk's server in this one process. Its own runner (Sanic 25) serves from a spawned
    worker process: the model and index warmed here then sat unused in the parent (284 MB)
    while the worker loaded its own copy on the first shopper's turn (1.4 s). One process
    warms once, before it binds, and holds one copy."""
    from rasa_sdk import utils
    from rasa_sdk.endpoint import create_app_for_serve
    from rasa_sdk.executor import ActionExecutor
    from sanic import Sanic, response

    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    warm()
    executor = ActionExecutor()
    executor.register_package("actions")
    app = create_app_for_serve(executor)

    @app.on_request
    async def only_rasa(request: Any) -> Any:
        problem = refusal(request.path, request.headers.get("authorization"), token)
        if problem is None:
            return None
        headers = {"WWW-Authenticate": "Bearer"}
        return response.json({"error": problem}, status=401, headers=headers)

    app.prepare(host=host, port=port, single_process=True, motd=False)
    Sanic.serve_single(primary=app)


if __name__ == "__main__":
    main()
