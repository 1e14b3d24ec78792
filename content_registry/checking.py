"""Every problem in every content file, fast enough for a catalogue of thousands of lessons.

Rendering a lesson's Markdown dominates (a 1,600-lesson catalogue takes minutes on one core),
and every management command that runs the system checks (`migrate`, `check --deploy`,
`runserver`) would pay it again. So:
- lesson folders are independent: each process checks a share of them, on one store forked from
  the parent's after it has read the light indexes (the lessons' front matter, which the
  cross-checks need), so no process reads them again;
- a folder's problems are kept in a cache directory under a digest of every file in the folder,
  of the code that checks them and of what it is checked against in other folders (the titles,
  tracks and minutes its "Keep going" cards repeat), so an unchanged folder is not parsed again
  by the next command. The one-file kinds (the coach rules) are small and checked every time.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from content_registry.problems import ContentProblem
from content_registry.registry import build_store
from content_registry.store import ContentStore, code_digest, merge_problems

# Below this many folders to parse a second process costs more than it saves.
PARALLEL_FROM = 64
CHUNK = 25
# Whole items a checking process keeps: a folder's quiz is cross-checked against the lesson parsed
# a moment before, and nothing is needed again after its folder, so a few are enough (more would
# only hold memory in every checking process).
CHECK_CACHE_SIZE = 8
# Parsing allocates objects by the million, nearly all freed by reference counting, and each
# collection of the oldest generation walks everything the process holds (Django, the index).
# Fewer young collections, and none of the parent's objects walked at all (gc.freeze), halved
# the checking processes' time in the collector (about a second of CPU each on 1,600 lessons).
WORKER_GC_THRESHOLD = 10_000
# Results of folder states not seen by a check for this long are deleted (see prune_cache).
PRUNE_AFTER_SECONDS = 24 * 3600
FolderProblems = dict[str, list[ContentProblem]]
# The store the forked workers check with (set while a pool runs).
_worker_store: ContentStore | None = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def content_problems(
    content_dir: Path,
    *,
    jobs: int = 1,
    cache_dir: Path | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[ContentProblem]:
    """Every problem, in the order the store reports them; progress per folder done."""
    store = build_store(content_dir, cache_size=CHECK_CACHE_SIZE)
    if not content_dir.is_dir():
        return store.problems()
    folders = store.folders
    found: dict[str, FolderProblems] = {}
    digests: dict[str, str] = {}
    if cache_dir is not None:
        code = code_digest(store.kinds) + shared_facts_digest(store)
        for folder in folders:
            digests[folder] = folder_digest(content_dir / folder, code=code)
            hit = _read_cached(cache_dir, digests[folder])
            if hit is not None:
                found[folder] = hit
    todo = [folder for folder in folders if folder not in found]
    done = len(found)

    def progress(count: int) -> None:
        nonlocal done
        done += count
        if on_progress is not None:
            on_progress(done, len(folders))

    for folder, problems in _check_folders(store, todo, jobs=jobs, progress=progress):
        found[folder] = problems
        if cache_dir is not None:
            _write_cached(cache_dir, digests[folder], problems)
    if not todo and on_progress is not None:
        on_progress(len(folders), len(folders))
    if cache_dir is not None:
        prune_cache(cache_dir, keep=frozenset(digests.values()))
    in_order = [found[folder] for folder in folders]
    return store.ordered(merge_problems(*in_order, store.file_problems()))


def _check_folders(
    store: ContentStore, folders: Sequence[str], *, jobs: int, progress: Callable[[int], None]
) -> Iterable[tuple[str, FolderProblems]]:
    global _worker_store
    if jobs <= 1 or len(folders) < PARALLEL_FROM:
        for folder in folders:
            yield folder, store.folder_problems([folder])
            progress(1)
        return
    for kind in store.kinds:
        if kind.index is not None:
            store.index(kind)
    chunks = [tuple(folders[start : start + CHUNK]) for start in range(0, len(folders), CHUNK)]
    # fork: the workers inherit the configured Django, every registered kind and the store.
    context = multiprocessing.get_context("fork")
    _worker_store = store
    # Everything the parent holds now is inherited and never garbage: collections in the workers
    # skip it (and, not touching it, leave those pages shared with the parent).
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_start_worker
        ) as pool:
            futures = [pool.submit(_chunk_problems, chunk) for chunk in chunks]
            for future in as_completed(futures):
                results = future.result()
                yield from results
                progress(len(results))
    finally:
        gc.unfreeze()
        _worker_store = None


def _start_worker() -> None:
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


def _chunk_problems(folders: tuple[str, ...]) -> list[tuple[str, FolderProblems]]:
    store = _worker_store
    if store is None:
        raise RuntimeError("a checking process started without its parent's store")
    return [(folder, store.folder_problems([folder])) for folder in folders]


def shared_facts_digest(store: ContentStore) -> str:
    """A digest of what folders check of one another (each kind's `shared_facts`): a lesson
    retitled re-checks the folders whose cards name it, with every other folder."""
    digest = hashlib.sha256()
    for kind in store.kinds:
        if kind.shared_facts is None or kind.index is None:
            continue
        items = store.index(kind)
        for key in sorted(items):
            digest.update(repr((kind.name, key, kind.shared_facts(items[key]))).encode())
    return digest.hexdigest()


def folder_digest(folder: Path, *, code: str) -> str:
    """A digest of every file in a lesson folder (names and bytes) and of the checking code."""
    digest = hashlib.sha256(code.encode())
    digest.update(folder.name.encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def prune_cache(
    cache_dir: Path, *, keep: frozenset[str], older_than: float = PRUNE_AFTER_SECONDS
) -> None:
    """Delete the results of folders as they no longer are (every saved edit leaves one), once
    they are a day old: another checkout sharing the directory may still be on them."""
    cutoff = time.time() - older_than
    try:
        for path in cache_dir.glob("*.json"):
            if path.stem not in keep and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or vanished directory: nothing to tidy


def _read_cached(cache_dir: Path, digest: str) -> FolderProblems | None:
    try:
        data = json.loads((cache_dir / f"{digest}.json").read_text(encoding="utf-8"))
        return {
            kind: [ContentProblem(**problem) for problem in problems]
            for kind, problems in data.items()
        }
    except (OSError, ValueError, TypeError):
        return None  # not cached yet, or unreadable: check the folder again


def _write_cached(cache_dir: Path, digest: str, problems: FolderProblems) -> None:
    data = {
        kind: [
            {
                "file": p.file,
                "part": p.part,
                "message": p.message,
                "field": p.field,
                "warning": p.warning,
            }
            for p in found
        ]
        for kind, found in problems.items()
    }
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache_dir / f"{digest}.{os.getpid()}.tmp"
        partial.write_text(json.dumps(data), encoding="utf-8")
        partial.replace(cache_dir / f"{digest}.json")
    except OSError:
        pass  # a read-only checkout still checks, only without the cache
