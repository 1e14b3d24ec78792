"""The production HTTP server for `make serve`: granian, in front of Django's WSGI application.

Why granian rather than gunicorn's sync workers: a sync worker reads the request itself, so a
client that trickles its headers holds a worker for as long as it likes, and fifty such clients
stopped the site. granian reads and parses every request (headers and body) asynchronously in
Rust (tokio and hyper), and hands Django only complete requests, on a small pool of threads per
worker; a slow client costs a socket, not a worker. It is one Python package (no second process
to configure and supervise, as nginx in front of gunicorn would be, and no root to install).

Every value can be overridden from the environment: HOST, PORT, WEB_CONCURRENCY (processes),
WEB_THREADS (Django threads per process), HEADER_READ_TIMEOUT_MS.

One Django thread per process by default: Python runs one thread of a process at a time, so a
second thread only helps while a request waits on the network, and the one such wait here is the
tutor's optional chat backend (then the default is 4). Otherwise threads take turns on the same
interpreter lock, and a thread holding SQLite's write lock waits for its turn to finish: under
load from wrk, 2 processes × 4 threads answered quiz checks with a p95 of 44 ms and the tutor
with 126 ms; 2 × 1 gave 19 ms and 10 ms, with more requests a second (bench/results.md).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def command(env: dict[str, str] | None = None) -> list[str]:
    env = dict(os.environ if env is None else env)
    granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
    return [
        granian,
        "--interface",
        "wsgi",
        "--host",
        env.get("HOST", "127.0.0.1"),
        "--port",
        env.get("PORT", "8000"),
        "--workers",
        env.get("WEB_CONCURRENCY", str(os.cpu_count() or 1)),
        "--blocking-threads",
        env.get("WEB_THREADS", default_threads(env)),
        # A client has this long to send its headers; then its connection is closed.
        "--http1-header-read-timeout",
        env.get("HEADER_READ_TIMEOUT_MS", "30000"),
        "--respawn-failed-workers",
        # Django logs every request itself (structured, with its request id).
        "--no-access-log",
        "config.wsgi:application",
    ]


def default_threads(env: dict[str, str]) -> str:
    """1, or 4 when the tutor's chat backend is on (its requests wait on the network)."""
    return "4" if env.get("TUTOR_LLM_URL") else "1"


def main() -> None:
    args = command()
    os.execv(args[0], args)  # noqa: S606 - replaces this process with the server, no shell


if __name__ == "__main__":
    main()
