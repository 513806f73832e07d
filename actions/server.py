"""Start the rasa-sdk action server bound to loopback (rasa-sdk's own CLI binds 0.0.0.0)."""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Jangbogi action server")
    parser.add_argument("--host", default=os.environ.get("JANGBOGI_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("JANGBOGI_ACTION_PORT", 5055))
    )
    args = parser.parse_args(argv)
    # rasa-sdk reads its bind address from SANIC_HOST; set it before rasa_sdk is imported.
    os.environ["SANIC_HOST"] = args.host
    from rasa_sdk.__main__ import main_from_args
    from rasa_sdk.endpoint import create_argument_parser

    main_from_args(
        create_argument_parser().parse_args(["--actions", "actions", "--port", str(args.port)])
    )


if __name__ == "__main__":
    main()
