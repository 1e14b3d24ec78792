"""Benchmark: a 1,600-lesson catalogue (copies of the real lessons with new slugs).

Generates the catalogue in a temporary folder, points CONTENT_DIR at it, and reports
- process start to the first served lesson page and catalogue, under the production server
  started as `make serve` starts it (`python -m config.serve`: granian, WEB_CONCURRENCY worker
  processes), median and p95 over --runs starts; target <= 5 s;
- RSS (and PSS, which counts pages shared between processes once) per worker after those two
  pages, and again after --visits different lessons (target <= 200 MB);
- `manage.py check_content` over the whole catalogue (target <= 60 s), with a build cache of its
  own, so every folder is checked as on a fresh checkout.
Each figure comes with the CPU time it took (the server's processes, or check_content's and its
workers') and the load average when it began: on a shared machine the wall clock alone says more
about the neighbours than about the code.

Run: .venv/bin/python bench/catalogue_scale.py [--lessons 1600] [--runs 3] [--visits 300]
     .venv/bin/python bench/catalogue_scale.py --only-check   # check_content alone (no server)
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from percentiles import percentile

BASE_DIR = Path(__file__).resolve().parent.parent
REAL_CONTENT = BASE_DIR / "content"
PYTHON = sys.executable
START_TARGET_S = 5.0
RSS_TARGET_MB = 200.0
CHECK_TARGET_S = 60.0


def generate_catalogue(target: Path, *, lessons: int) -> list[str]:
    """`lessons` copies of the real lessons, each with its own slug, number and title."""
    originals = sorted(path for path in REAL_CONTENT.iterdir() if path.is_dir())
    for path in REAL_CONTENT.iterdir():
        if path.is_file():
            shutil.copy(path, target / path.name)
    slugs = []
    for index in range(lessons):
        source = originals[index % len(originals)]
        slug = f"{source.name}-{index + 1:04d}"
        folder = target / slug
        shutil.copytree(source, folder)
        lesson = folder / "lesson.md"
        front, body = lesson.read_text().split("\n---\n", 1)
        front = re.sub(r"(?m)^slug: .*$", f"slug: {slug}", front, count=1)
        front = re.sub(r"(?m)^number: .*$", f"number: {index + 1}", front, count=1)
        front = re.sub(r"(?m)^catalogue_size: .*$", f"catalogue_size: {lessons}", front, count=1)
        front = re.sub(r"(?m)^title: (.*)$", rf"title: \1 ({index + 1})", front, count=1)
        lesson.write_text(f"{front}\n---\n{body}")
        slugs.append(slug)
        if (index + 1) % 400 == 0 or index + 1 == lessons:
            print(f"  generated {index + 1:,} of {lessons:,} lessons", flush=True)
    return slugs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return int(response.status)


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            values[name] = int(rest.split()[0]) / 1024
    return values["Rss"], values["Pss"]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time one process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


@contextmanager
def production_server(
    env: dict[str, str], log: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The server as `make serve` starts it; config.serve execs granian, so this process is
    granian's main process and its children are the workers."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [PYTHON, "-m", "config.serve"],
            cwd=BASE_DIR,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield server, f"http://127.0.0.1:{port}"
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # granian waits for open keep-alive connections to close; a benchmark need not.
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def measure_starts(
    env: dict[str, str], slugs: list[str], *, runs: int, visits: int, workdir: Path
) -> None:
    lesson = slugs[len(slugs) // 2]  # far past anything warmed at start-up
    starts: list[float] = []
    start_cpu: list[float] = []
    first_rss: list[float] = []
    first_pss: list[float] = []
    after: list[tuple[float, float]] = []
    for run in range(1, runs + 1):
        log = workdir / f"server-{run}.log"
        load = load_average()
        began = time.monotonic()
        with production_server(env, log) as (server, base_url):
            deadline = began + 300
            while True:
                try:
                    if get(f"{base_url}/lessons/{lesson}/") == 200 and get(f"{base_url}/") == 200:
                        break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server did not serve the pages:\n{log.read_text()}")
                time.sleep(0.05)
            starts.append(time.monotonic() - began)
            workers = workers_of(server.pid)
            start_cpu.append(cpu_seconds(server.pid) + sum(cpu_seconds(w) for w in workers))
            for worker in workers:
                rss, pss = memory_mb(worker)
                first_rss.append(rss)
                first_pss.append(pss)
            print(
                f"  start {run}/{runs} (load {load}): {starts[-1]:.2f} s to the lesson page and "
                f"catalogue, {start_cpu[-1]:.2f} s CPU in all server processes; "
                + ", ".join(f"worker RSS {memory_mb(w)[0]:.0f} MB" for w in workers),
                flush=True,
            )
            if run == runs and visits:
                for number, slug in enumerate(slugs[:visits], start=1):
                    get(f"{base_url}/lessons/{slug}/")
                    if number % 100 == 0 or number == visits:
                        print(f"  visited {number:,} of {visits:,} different lessons", flush=True)
                after = [memory_mb(worker) for worker in workers_of(server.pid)]
    report("start to first lesson page + catalogue", starts, "s", START_TARGET_S)
    report("CPU of the server's processes until then", start_cpu, "s", None)
    report("RSS per worker after start", first_rss, "MB", RSS_TARGET_MB)
    report("PSS per worker after start", first_pss, "MB", None)
    if visits:
        report(
            f"RSS per worker after {visits} lessons", [rss for rss, _ in after], "MB", RSS_TARGET_MB
        )
        report(f"PSS per worker after {visits} lessons", [pss for _, pss in after], "MB", None)


def measure_check(env: dict[str, str]) -> None:
    load = load_average()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    process = subprocess.Popen(
        [PYTHON, "manage.py", "check_content"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    last = ""
    for line in process.stdout:
        last = line.rstrip()
        print(f"  {time.monotonic() - began:6.1f} s  {last}", flush=True)
    process.wait()
    elapsed = time.monotonic() - began
    if process.returncode != 0:
        raise SystemExit(f"check_content failed on the generated catalogue: {last}")
    # Its worker processes are waited for by check_content, so their time is counted here too.
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime
    print(f"  load average {load} at its start", flush=True)
    report("check_content over the catalogue", [elapsed], "s", CHECK_TARGET_S)
    report("CPU of check_content and its workers", [cpu], "s", None)


def report(name: str, samples: list[float], unit: str, target: float | None) -> None:
    median = statistics.median(samples)
    p95 = percentile(samples, 0.95)
    verdict = ""
    if target is not None:
        verdict = "meets target" if p95 <= target else "MISSES target"
        verdict = f"  (target <= {target:g} {unit}: {verdict})"
    print(f"{name}: median {median:.2f} {unit}, p95 {p95:.2f} {unit}, n={len(samples)}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lessons", type=int, default=1600)
    parser.add_argument("--runs", type=int, default=3, help="server starts to time")
    parser.add_argument("--visits", type=int, default=300, help="lessons to visit after a start")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-check", action="store_true")
    parser.add_argument(
        "--only-check",
        action="store_true",
        help="time check_content alone: no server starts (nor the set-up only they need)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="catalogue-scale-") as tmp:
        workdir = Path(tmp)
        content = workdir / "content"
        content.mkdir()
        print(f"Generating {args.lessons:,} lessons in {content}", flush=True)
        slugs = generate_catalogue(content, lessons=args.lessons)
        env = {
            **os.environ,
            "CONTENT_DIR": str(content),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "WEB_CONCURRENCY": str(args.workers),
            # Not the checkout's: results kept from an earlier run would skip the timed parsing.
            "CONTENT_BUILD_CACHE_DIR": str(workdir / "build-cache"),
        }
        if args.only_check:
            print("manage.py check_content:", flush=True)
            measure_check(env)
            return
        setup = {"stdout": subprocess.DEVNULL, "cwd": BASE_DIR, "env": env, "check": True}
        # --skip-checks: the content check parses every lesson; check_content is timed below.
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "--skip-checks"], **setup
        )  # type: ignore[call-overload]
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "--skip-checks"], **setup)  # type: ignore[call-overload]
        subprocess.run([PYTHON, "manage.py", "index_lessons", "--skip-checks"], **setup)  # type: ignore[call-overload]
        print(
            f"granian (python -m config.serve, as `make serve`), {args.workers} workers:",
            flush=True,
        )
        measure_starts(env, slugs, runs=args.runs, visits=args.visits, workdir=workdir)
        if not args.skip_check:
            print("manage.py check_content:", flush=True)
            measure_check(env)


if __name__ == "__main__":
    main()
