"""`jangbogi serve`'s own command (cli.serve, jangbogi/serve.py) over two stand-in services, for
tests/jangbogi/test_supervisor.py: each a small HTTP server that also starts a grandchild in its
process group, as Sanic and uvicorn start workers. Seconds instead of Rasa's minute.

Usage: python -m tests.jangbogi.fake_serve PORT1 PORT2 [--never-healthy]
"""

from __future__ import annotations

import signal
import sys

SERVER = """
import http.server, subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # a worker, same group
if sys.argv[2] == "never-healthy":
    time.sleep(600)
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
"""


def main(argv: list[str]) -> None:
    import jangbogi.serve
    from jangbogi.cli import app
    from jangbogi.serve import Service

    ports, mode = argv[:2], "never-healthy" if "--never-healthy" in argv else "healthy"

    def services(*_args: object, **_kwargs: object) -> list[Service]:
        return [
            Service(
                f"fake-{i}",
                [sys.executable, "-c", SERVER, port, mode],
                f"http://127.0.0.1:{port}/",
                f"http://127.0.0.1:{port}/",
            )
            for i, port in enumerate(ports)
        ]

    jangbogi.serve.build_services = services  # type: ignore[assignment]
    # What the job inherited (SIG_IGN under `nohup … &`), before the supervisor handles it.
    print(f"sigint at start: {signal.getsignal(signal.SIGINT)!r}", file=sys.stderr, flush=True)
    app(["serve"])


if __name__ == "__main__":
    main(sys.argv[1:])
