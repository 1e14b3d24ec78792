"""Benchmark: the catalogue page and search on a 1,600-lesson catalogue (Django test client).

Generates the catalogue first: copies of the real lessons' lesson.md with new slugs, titles and
numbers, spread over the three tracks and a dozen categories, in a temporary CONTENT_DIR (only
lesson.md: the catalogue and search read nothing else). Builds the search index on a throwaway
test database, then times each page with CONTENT_RELOAD off, as in production (no `stat` of
every content file per request). Targets: p95 <= 20 ms and HTML <= 100 KB per page. A page of
search results is cached until the index changes, so each search is timed twice: repeated
(cached), and with Django's dummy cache in place of the default (uncached).

On SQLite by default; on PostgreSQL with --database-url (or DATABASE_URL), e.g.
postgres://postgres@127.0.0.1:5432/test (the test database is a throwaway `test_<name>`).

Run: .venv/bin/python bench/catalogue.py [--lessons 1600] [--requests 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

TRACKS = ("Explorers", "Creators", "Adults & Professionals")
CATEGORIES = (
    "Ethics & Society",
    "Everyday AI",
    "Writing & Communication",
    "Data & Privacy",
    "Work & Careers",
    "Creative Tools",
    "Safety & Security",
    "Learning & Study",
    "Health & Wellbeing",
    "Law & Policy",
    "Building with AI",
    "Media Literacy",
)
TARGET_MS = 20.0
TARGET_BYTES = 100 * 1024


def generate_catalogue(target: Path, *, lessons: int) -> None:
    """`lessons` copies of the real lessons in `target`, each with its own slug and facets."""
    source = BASE_DIR / "content"
    for extra in source.glob("*.yaml"):  # shared content files (the coach rules)
        shutil.copy(extra, target / extra.name)
    originals = sorted(source.glob("*/lesson.md"))
    for n in range(1, lessons + 1):
        original = originals[n % len(originals)]
        text = original.read_text()
        slug_of = re.search(r"^slug: (.+)$", text, flags=re.M)
        assert slug_of, "a lesson without a slug"
        slug = f"{slug_of.group(1)}-{n}"
        replacements = {
            "slug": slug,
            "number": str(n),
            "catalogue_size": str(lessons),
            "track": TRACKS[n % len(TRACKS)],
            "category": CATEGORIES[(n // len(TRACKS)) % len(CATEGORIES)],
        }
        for field, value in replacements.items():
            text = re.sub(rf"^{field}: .*$", f"{field}: {value}", text, count=1, flags=re.M)
        text = re.sub(r"^title: (.*)$", rf"title: \1 (part {n})", text, count=1, flags=re.M)
        folder = target / slug
        folder.mkdir()
        (folder / "lesson.md").write_text(text)
        if (original.parent / "figures").is_dir():  # a lesson showing a missing figure is broken
            shutil.copytree(original.parent / "figures", folder / "figures")
        if n % 200 == 0 or n == lessons:
            print(f"  generated {n}/{lessons} lessons", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lessons", type=int, default=1600)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="the database to measure on (default: DATABASE_URL, else SQLite)",
    )
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    # Production reads content once; the per-request check for edits is a development aid.
    os.environ["CONTENT_RELOAD"] = "0"

    with tempfile.TemporaryDirectory() as tmp:
        content_dir = Path(tmp)
        print(f"generating {args.lessons} lessons in {content_dir}", file=sys.stderr)
        generate_catalogue(content_dir, lessons=args.lessons)
        os.environ["CONTENT_DIR"] = str(content_dir)
        run(args)


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()

    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from percentiles import percentile

    from lessons.content import get_catalogue
    from lessons.search import sync_search_index

    setup_test_environment()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        started = time.perf_counter()
        print("loading the catalogue…", file=sys.stderr, flush=True)
        lessons = get_catalogue().lessons
        print(f"  {len(lessons)} lessons in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        started = time.perf_counter()
        sync_search_index(lessons=get_catalogue().whole_lessons(), force=True)
        print(f"  search index built in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        client = Client()
        pages = {
            "catalogue, first page": "/",
            "catalogue, one track": "/?track=creators",
            "catalogue, track and category": "/?track=creators&category=ethics-and-society",
            "catalogue, page 20": "/?page=20",
            "search 'postmortem'": "/?q=postmortem",
            "search, page 10": "/?q=postmortem&page=10",
            "search in a track": "/?track=creators&q=timeline+blameless",
            "search a prefix": "/?q=postmort",
            "search 'ai'": "/?q=ai",
            "search, no match": "/?q=zzzyxxq",
        }
        assert not settings.CONTENT_RELOAD
        print(
            f"catalogue of {len(lessons)} lessons on {connection.vendor} (Django test client, "
            f"anonymous, CONTENT_RELOAD off, {args.requests} requests each; targets: p95 <= "
            f"{TARGET_MS:.0f} ms, HTML <= {TARGET_BYTES // 1024} KB)"
        )

        def measure(name: str, url: str) -> None:
            samples, cpu = [], []
            for _ in range(args.requests):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                samples.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            p95 = percentile(samples, 0.95)
            size = len(response.content)
            verdict = "meets" if p95 <= TARGET_MS and size <= TARGET_BYTES else "MISSES"
            # This process's CPU time per request: what the page costs here whatever else runs
            # on the machine (a database server's own work is not in it).
            print(
                f"  {name:<30} median {statistics.median(samples):6.2f} ms   "
                f"p95 {p95:6.2f} ms   {size / 1024:6.1f} KB   {verdict}   "
                f"(CPU median {statistics.median(cpu):5.2f} ms)"
            )

        for name, url in pages.items():
            print(f"  {name}: {url}", file=sys.stderr, flush=True)
            response = client.get(url)  # warm
            assert response.status_code == 200, (url, response.status_code)
            measure(name, url)
        # A page of results is cached until the index changes, so the figures above are of
        # cached pages (as a popular search's would be); these, with Django's dummy cache as the
        # default, are of searches no one has made since the index last changed.
        uncached = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        with override_settings(CACHES={**settings.CACHES, "default": uncached}):
            for name, url in pages.items():
                if "q=" in url:
                    measure(f"{name} (uncached)", url)
        # A yardstick from the same run: on a loaded machine every figure above grows with it.
        samples = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get("/healthz")
            samples.append((time.perf_counter() - start) * 1000)
        print(
            f"  {'reference: /healthz':<30} median {statistics.median(samples):6.2f} ms   "
            f"p95 {percentile(samples, 0.95):6.2f} ms   (same run, for scale)"
        )
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
