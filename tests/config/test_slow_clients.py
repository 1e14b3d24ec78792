"""The production server survives slow clients: 50 connections trickling their headers for 20 s
while normal page loads keep answering within a second (loopback only, bounded in time)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from config.serve import command

BASE_DIR = Path(__file__).resolve().parent.parent.parent
LESSON_URL = "/lessons/writing-postmortems-for-ai-system-incidents/"
SLOW_CLIENTS = 50
TRICKLE_SECONDS = 20.0

pytestmark = pytest.mark.xdist_group("slow-clients")  # one worker starts the server for both


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def production_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server `make serve` runs, with as few Django threads as a small instance has."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))},
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "2",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "1",  # static files from the finders: no collectstatic in a test
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('slow') / 'db.sqlite3'}",
    }
    log = tmp_path_factory.mktemp("slow-log") / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-c", "import config.serve as s; s.main()"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(url + LESSON_URL, timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def test_make_serve_runs_granian() -> None:
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "-m config.serve" in makefile
    assert Path(command({})[0]).name == "granian"


def trickle_headers(port: int, stop: threading.Event, held: list[bool], index: int) -> None:
    """A client that sends a request's headers one byte a second and never finishes them.

    `held[index]` ends True only if the server kept the connection open the whole time: every
    byte was accepted, and at the end the server had neither answered nor closed it.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop.wait(1.0):
            try:
                sock.sendall(b"X")
            except OSError:
                return
        sock.setblocking(False)
        try:
            sock.recv(1, socket.MSG_PEEK)  # b"" (closed) or an answer: not held
        except BlockingIOError:
            held[index] = True
        except OSError:
            return


def test_fifty_slow_clients_do_not_stop_normal_page_loads(production_server: str) -> None:
    port = int(production_server.rsplit(":", 1)[1])
    stop = threading.Event()
    held = [False] * SLOW_CLIENTS
    slow = [
        threading.Thread(target=trickle_headers, args=(port, stop, held, index), daemon=True)
        for index in range(SLOW_CLIENTS)
    ]
    for thread in slow:
        thread.start()
    time.sleep(1.0)  # every slow client connected and holding its request open

    timings: list[float] = []
    failures = 0
    started = time.monotonic()
    while time.monotonic() - started < TRICKLE_SECONDS:
        begin = time.monotonic()
        try:
            with urllib.request.urlopen(production_server + LESSON_URL, timeout=5) as response:
                response.read()
                ok = response.status == 200
        except OSError:
            ok = False
        elapsed = time.monotonic() - begin
        timings.append(elapsed if ok else float("inf"))
        failures += not ok
        time.sleep(0.1)
    stop.set()
    for thread in slow:
        thread.join(timeout=5)

    fast = sum(1 for t in timings if t <= 1.0)
    share = fast / len(timings)
    print(f"{len(timings)} page loads, {fast} within 1 s ({share:.0%}), {failures} failed")
    assert len(timings) >= 20
    assert share >= 0.95, sorted(timings)[-10:]
    # The slow clients were really held the whole time (not dropped early by the server), so
    # the page loads above were served while fifty requests sat half-read.
    assert sum(held) == SLOW_CLIENTS, f"{sum(held)} of {SLOW_CLIENTS} still open after 20 s"
