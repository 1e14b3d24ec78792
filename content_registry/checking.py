"""Every problem in every content file, on as many processes as the machine has cores.

A 1,600-lesson catalogue takes minutes on one core (rendering Markdown dominates); lesson folders
are independent, so each process checks a share of them and the one-file kinds are checked once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from content_registry.problems import ContentProblem
from content_registry.registry import build_store
from content_registry.store import merge_problems

# Below this many folders a second process costs more than it saves.
PARALLEL_FROM = 64
CHUNK = 25


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def content_problems(
    content_dir: Path, *, jobs: int = 1, on_progress: Callable[[int, int], None] | None = None
) -> list[ContentProblem]:
    """Every problem, in the order the system check reports them; progress per folder done."""
    store = build_store(content_dir)
    folders = store.folders
    if jobs <= 1 or len(folders) < PARALLEL_FROM:
        return store.problems(on_folder=on_progress)
    chunks = [folders[start : start + CHUNK] for start in range(0, len(folders), CHUNK)]
    found = [store.file_problems()]
    by_chunk: dict[int, dict[str, list[ContentProblem]]] = {}
    done = 0
    # fork: the workers inherit the configured Django and every registered kind.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {
            pool.submit(_chunk_problems, content_dir, chunk): index
            for index, chunk in enumerate(chunks)
        }
        for future in as_completed(futures):
            index = futures[future]
            by_chunk[index] = future.result()
            done += len(chunks[index])
            if on_progress is not None:
                on_progress(done, len(folders))
    # In folder order, then the one-file kinds: what one process would report.
    in_order = [by_chunk[index] for index in range(len(chunks))]
    return store.ordered(merge_problems(*in_order, *found))


def _chunk_problems(content_dir: Path, folders: tuple[str, ...]) -> dict[str, list[ContentProblem]]:
    return build_store(content_dir).folder_problems(folders)
