"""gunicorn settings for `bench/catalogue_scale.py`, which measures start-up and memory per
worker with the application preloaded and forked; every value can be overridden from the
environment. `make serve` runs granian (`config/serve.py`), not gunicorn.
"""

from __future__ import annotations

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
keepalive = 5
# Load the app (and parse the content) once in the master; workers fork from it.
preload_app = True
# Django logs every request itself (structured, with its request id).
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server: object) -> None:
    """Send each response as soon as it is written.

    gunicorn writes a response's headers and body in separate calls; with Nagle's algorithm on,
    the body then waits for the client's delayed ACK of the headers (~40 ms per page). Sockets
    accepted from these listeners inherit the option.
    """
    import socket

    for listener in server.LISTENERS:  # type: ignore[attr-defined]
        if listener.sock.family in (socket.AF_INET, socket.AF_INET6):
            listener.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
