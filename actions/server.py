"""Start the rasa-sdk action server bound to loopback (rasa-sdk's own CLI binds 0.0.0.0)."""

from __future__ import annotations

import argparse
import os


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
    # rasa-sdk reads its bind address from SANIC_HOST; set it before rasa_sdk is imported.
    os.environ["SANIC_HOST"] = args.host
    warm()
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    main_from_args(
        create_argument_parser().parse_args(["--actions", "actions", "--port", str(args.port)])
    )


if __name__ == "__main__":
    main()
