"""The content store: every content file kind, declared once, read through one pipeline.

A kind (`ContentKind`) says where its files are, how one file is read, validated and
cross-checked (`load`), and optionally how it is read lightly for the start-up index (`index`:
the lesson's front matter, so the catalogue never waits for every body to render). The store
lists every file once, keeps that listing and the index immutable, and parses a file fully on
its first use; items are memoised in a bounded cache per kind so memory does not grow with the
catalogue either.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from content_registry.files import display_path
from content_registry.problems import ContentError, ContentProblem, errors_only

ItemT = TypeVar("ItemT")
IndexT = TypeVar("IndexT")
T = TypeVar("T")
# A kind only produces its items, so a kind of a narrower item is usable where a wider one is.
ItemT_co = TypeVar("ItemT_co", covariant=True)
IndexT_co = TypeVar("IndexT_co", covariant=True)

# Full items (a parsed lesson holds its rendered HTML and text) kept per kind; the lesson page's
# rendered parts are kept for as many lessons. Past it the least recently used is parsed again on
# its next use (some hundredths of a second). A lesson with its quiz and rendered parts holds
# about 200 KB, so 64 of them stay near 13 MB per process however large the catalogue.
DEFAULT_CACHE_SIZE = 64


@dataclass(frozen=True)
class ContentSource:
    """One content file handed to a kind's loader."""

    key: str  # the lesson folder's name, or "" for a kind with one file
    path: Path
    file: str  # how problems name it: relative to the content folder's parent
    content_dir: Path
    store: ContentStore


Loader = Callable[[ContentSource], tuple[T | None, list[ContentProblem]]]


@dataclass(frozen=True)
class ContentKind(Generic[ItemT_co, IndexT_co]):
    """One kind of content file: where its files are and how one is read.

    `files` is `"*/<name>"` for one file per lesson folder (keyed by the folder name) or
    `"<name>"` for one file in the content folder (key `""`). `load` reads, validates and
    cross-checks one file (another kind's items are at `source.store.lookup(...)`), returning the
    item only when there is no problem. `index`, when given, is a cheaper read of every file made
    when the store is built.
    """

    name: str
    files: str
    load: Loader[ItemT_co]
    index: Loader[IndexT_co] | None = None
    # Every lesson folder must have this file (a folder without one is a problem).
    in_every_folder: bool = False
    # A one-file kind whose file may be absent; otherwise a missing file is reported by `load`.
    optional: bool = False
    # Checked only when this says so (the coach file only matters when a lesson has practice).
    checked_when: Callable[[ContentStore], bool] | None = None
    # After CONTENT_RELOAD reloads, called with the keys whose files were added, saved or
    # removed, for what the kind keeps outside the store (the lessons' search rows).
    on_reload: Callable[[frozenset[str]], None] | None = None
    # What files of other folders may repeat of an item and are checked against (a lesson's
    # title on another lesson's "Keep going" card), read from its index entry: a folder's
    # cached problems stay valid only while these are unchanged.
    shared_facts: Callable[[Any], object] | None = None

    @property
    def per_folder(self) -> bool:
        return self.files.startswith("*/")

    @property
    def file_name(self) -> str:
        return self.files.removeprefix("*/")

    def changed_keys(
        self,
        before: Iterable[tuple[str, int, int]],
        after: Iterable[tuple[str, int, int]],
    ) -> frozenset[str]:
        """The keys of this kind whose files differ between two `content_fingerprint`s."""
        changed = set(before) ^ set(after)
        if not self.per_folder:
            return frozenset("" for name, _, _ in changed if name == self.files)
        return frozenset(
            name.split("/", 1)[0] for name, _, _ in changed if name.endswith("/" + self.file_name)
        )


AnyKind = ContentKind[Any, Any]
_KINDS: dict[str, AnyKind] = {}


def register_kind(kind: ContentKind[ItemT, IndexT]) -> ContentKind[ItemT, IndexT]:
    """Add a kind to the registry (again under the same name replaces it: module reloads)."""
    _KINDS[kind.name] = kind
    return kind


def registered_kinds() -> tuple[AnyKind, ...]:
    return tuple(_KINDS.values())


class _Bounded:
    """A small thread-safe LRU of loaded results."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, tuple[Any, list[ContentProblem]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Any, list[ContentProblem]] | None:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, key: str, value: tuple[Any, list[ContentProblem]]) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True)
class _KindIndex:
    items: Mapping[str, Any]
    problems: tuple[ContentProblem, ...]


@dataclass(eq=False)
class ContentStore:
    """Every content file under one folder, listed once; items parsed on first use."""

    content_dir: Path
    kinds: tuple[AnyKind, ...]
    cache_size: int = DEFAULT_CACHE_SIZE
    # Where the light index is remembered between processes (None: not remembered).
    index_cache_dir: Path | None = None
    _folders: tuple[str, ...] = field(init=False)
    _paths: dict[str, Mapping[str, Path]] = field(init=False)
    _indexes: dict[str, _KindIndex] = field(init=False, default_factory=dict)
    _items: dict[str, _Bounded] = field(init=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    fingerprint: tuple[tuple[str, int, int], ...] = field(init=False)
    _stamps: dict[str, tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        self._folders = _folders(self.content_dir)
        self._paths = {}
        for kind in self.kinds:
            if kind.per_folder:
                found = {
                    folder: self.content_dir / folder / kind.file_name
                    for folder in self._folders
                    if (self.content_dir / folder / kind.file_name).is_file()
                }
            else:
                path = self.content_dir / kind.files
                found = {"": path} if path.is_file() else {}
            self._paths[kind.name] = MappingProxyType(found)
            self._items[kind.name] = _Bounded(self.cache_size)
        self.fingerprint = content_fingerprint(self.content_dir, self.kinds)
        self._stamps = {name: (mtime, size) for name, mtime, size in self.fingerprint}

    # -- listing -----------------------------------------------------------------------------

    @property
    def folders(self) -> tuple[str, ...]:
        return self._folders

    def keys(self, kind: AnyKind) -> tuple[str, ...]:
        """The keys (lesson slugs) that have a file of this kind, sorted."""
        return tuple(sorted(self._paths[kind.name]))

    def has(self, kind: AnyKind, key: str = "") -> bool:
        return key in self._paths[kind.name]

    def source(self, kind: AnyKind, key: str = "") -> ContentSource:
        path = self._paths[kind.name].get(key)
        if path is None:
            path = (
                self.content_dir / key / kind.file_name
                if kind.per_folder
                else (self.content_dir / kind.files)
            )
        return ContentSource(
            key=key,
            path=path,
            file=display_path(path, self.content_dir),
            content_dir=self.content_dir,
            store=self,
        )

    # -- the light index ---------------------------------------------------------------------

    def index(self, kind: ContentKind[Any, IndexT]) -> Mapping[str, IndexT]:
        """The light read of every file of this kind that has no problem in it, by key."""
        return self._index(kind).items

    def index_problems(self, kind: AnyKind) -> tuple[ContentProblem, ...]:
        return self._index(kind).problems

    def _index(self, kind: AnyKind) -> _KindIndex:
        built = self._indexes.get(kind.name)
        if built is not None:
            return built
        with self._lock:
            built = self._indexes.get(kind.name)
            if built is None:
                built = self._build_index(kind)
                self._indexes[kind.name] = built
        return built

    def _build_index(self, kind: AnyKind) -> _KindIndex:
        reader = kind.index or kind.load
        remembered = self._remembered_index(kind)
        kept: dict[str, tuple[tuple[int, int], Any]] = {}
        items: dict[str, Any] = {}
        problems: list[ContentProblem] = []
        for key in self.keys(kind):
            stamp = self._stamps.get(f"{key}/{kind.file_name}" if kind.per_folder else kind.files)
            hit = remembered.get(key)
            if stamp is not None and hit is not None and hit[0] == stamp:
                items[key] = hit[1]
            else:
                item, found = reader(self.source(kind, key))
                problems += found
                if item is None or found:
                    continue
                items[key] = item
            if stamp is not None:
                kept[key] = (stamp, items[key])
        problems += self._missing_problems(kind)
        if kept != remembered:
            self._remember_index(kind, kept)
        return _KindIndex(items=MappingProxyType(items), problems=tuple(problems))

    def _index_cache_path(self, kind: AnyKind) -> Path | None:
        if self.index_cache_dir is None or kind.index is None:
            return None
        where = hashlib.sha256(f"{self.content_dir.resolve()}\0{code_digest(self.kinds)}".encode())
        return (
            self.index_cache_dir
            / f"index-{kind.name.replace(' ', '-')}-{where.hexdigest()[:20]}.pickle"
        )

    def _remembered_index(self, kind: AnyKind) -> dict[str, tuple[tuple[int, int], Any]]:
        path = self._index_cache_path(kind)
        if path is None:
            return {}
        try:
            remembered = pickle.loads(path.read_bytes())  # noqa: S301 (our own cache file, written below; its digest is in the name)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
            return {}
        return remembered if isinstance(remembered, dict) else {}

    def _remember_index(self, kind: AnyKind, kept: dict[str, tuple[tuple[int, int], Any]]) -> None:
        path = self._index_cache_path(kind)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            partial.write_bytes(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
            partial.replace(path)
        except OSError:
            pass  # a read-only checkout still works, only without the cache

    # -- full items --------------------------------------------------------------------------

    def load(
        self, kind: ContentKind[ItemT, Any], key: str = ""
    ) -> tuple[ItemT | None, list[ContentProblem]]:
        """The item and its problems, parsed on first use and memoised (problems too).

        The item is there unless a problem is an error: warnings do not make it unusable."""
        cache = self._items[kind.name]
        found = cache.get(key)
        if found is None:
            if not self.has(kind, key):
                return None, []
            found = kind.load(self.source(kind, key))
            cache.put(key, found)
        item, problems = found
        return (None if errors_only(problems) else item), list(problems)

    def lookup(self, kind: ContentKind[ItemT, Any], key: str = "") -> ItemT | None:
        """The item, or None when there is no file or it has problems (for cross-checks)."""
        found: tuple[ItemT | None, list[ContentProblem]] = self.load(kind, key)
        return found[0]

    def get(self, kind: ContentKind[ItemT, Any], key: str = "") -> ItemT | None:
        """The item; None when there is no such file; ContentError when the file is broken."""
        found: tuple[ItemT | None, list[ContentProblem]] = self.load(kind, key)
        if errors := errors_only(found[1]):
            raise ContentError(errors)
        return found[0]

    # -- every problem -----------------------------------------------------------------------

    def problems(
        self,
        *,
        kinds: Iterable[AnyKind] | None = None,
        on_folder: Callable[[int, int], None] | None = None,
    ) -> list[ContentProblem]:
        """Every problem in every file (of `kinds`, or all), grouped by kind in store order.

        Each lesson folder's files are loaded together, so a quiz is cross-checked against the
        lesson parsed a moment before, never a second parse. `on_folder(done, total)` reports
        progress on large catalogues.
        """
        if not self.content_dir.is_dir():
            return [
                ContentProblem(file=str(self.content_dir), part="folder", message="does not exist")
            ]
        found = self.folder_problems(self._folders, on_folder=on_folder)
        return self.ordered(merge_problems(found, self.file_problems()), kinds=kinds)

    def folder_problems(
        self, folders: Iterable[str], *, on_folder: Callable[[int, int], None] | None = None
    ) -> dict[str, list[ContentProblem]]:
        """Problems in the files of these lesson folders, by kind name."""
        folders = tuple(folders)
        found: dict[str, list[ContentProblem]] = {kind.name: [] for kind in self.kinds}
        folder_kinds = [kind for kind in self.kinds if kind.per_folder]
        for done, folder in enumerate(folders, start=1):
            for kind in folder_kinds:
                if self.has(kind, folder):
                    found[kind.name] += self.load(kind, folder)[1]
                elif kind.in_every_folder:
                    missing = self.source(kind, folder).file
                    found[kind.name].append(
                        ContentProblem(file=missing, part="file", message="is missing")
                    )
            if on_folder is not None:
                on_folder(done, len(folders))
        return found

    def file_problems(self) -> dict[str, list[ContentProblem]]:
        """Problems in the one-file kinds, by kind name."""
        found: dict[str, list[ContentProblem]] = {kind.name: [] for kind in self.kinds}
        for kind in self.kinds:
            if kind.per_folder:
                continue
            if self.has(kind) or not kind.optional:
                found[kind.name] += kind.load(self.source(kind))[1]
        return found

    def ordered(
        self, found: Mapping[str, list[ContentProblem]], *, kinds: Iterable[AnyKind] | None = None
    ) -> list[ContentProblem]:
        """One list in store order, leaving out kinds whose `checked_when` says no."""
        reported = {kind.name for kind in (self.kinds if kinds is None else kinds)}
        return [
            problem
            for kind in self.kinds
            if kind.name in reported and (kind.checked_when is None or kind.checked_when(self))
            for problem in found.get(kind.name, [])
        ]

    def _missing_problems(self, kind: AnyKind) -> list[ContentProblem]:
        if not kind.in_every_folder:
            return []
        return [
            ContentProblem(file=self.source(kind, folder).file, part="file", message="is missing")
            for folder in self._folders
            if not self.has(kind, folder)
        ]


@cache
def code_digest(kinds: tuple[AnyKind, ...]) -> str:
    """A digest of the Python packages that read content: a change to a rule re-checks all."""
    packages = {Path(__file__).parent}
    for kind in kinds:
        module = sys.modules.get(kind.load.__module__)
        if module is not None and module.__file__:
            packages.add(Path(module.__file__).parent)
    digest = hashlib.sha256()
    for package in sorted(packages):
        for path in sorted(package.rglob("*.py")):
            digest.update(str(path.relative_to(package.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def merge_problems(
    *found: Mapping[str, list[ContentProblem]],
) -> dict[str, list[ContentProblem]]:
    merged: dict[str, list[ContentProblem]] = {}
    for part in found:
        for name, problems in part.items():
            merged.setdefault(name, []).extend(problems)
    return merged


def _folders(content_dir: Path) -> tuple[str, ...]:
    if not content_dir.is_dir():
        return ()
    return tuple(sorted(entry.name for entry in os.scandir(content_dir) if entry.is_dir()))


def _stat_files(content_dir: Path, kinds: tuple[AnyKind, ...]) -> Iterator[tuple[str, int, int]]:
    names = {kind.file_name for kind in kinds if kind.per_folder}
    singles = {kind.files for kind in kinds if not kind.per_folder}
    try:
        entries = sorted(os.scandir(content_dir), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir():
            for name in sorted(names):
                try:
                    stat = os.stat(os.path.join(entry.path, name))
                except OSError:
                    continue
                yield f"{entry.name}/{name}", stat.st_mtime_ns, stat.st_size
        elif entry.name in singles:
            stat = entry.stat()
            yield entry.name, stat.st_mtime_ns, stat.st_size


def content_fingerprint(
    content_dir: Path, kinds: tuple[AnyKind, ...]
) -> tuple[tuple[str, int, int], ...]:
    """Name, modification time and size of every content file: changes when an author saves."""
    return tuple(_stat_files(content_dir, kinds))
