"""What the learner's own progress page shows, derived from their document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lessons.content import Catalogue
from progress.document import Attempt, ProgressDocument, best_score, last_attempt


@dataclass(frozen=True)
class ChecklistLine:
    text: str
    done: bool


@dataclass(frozen=True)
class LessonSummary:
    slug: str
    title: str
    sections_read: int
    sections_total: int
    last_read_at: datetime | None
    checklist: tuple[ChecklistLine, ...]
    reflection: str
    best: Attempt | None
    last: Attempt | None
    attempts: tuple[Attempt, ...]  # newest first

    @property
    def percent_read(self) -> int:
        return round(100 * self.sections_read / self.sections_total) if self.sections_total else 0

    @property
    def ring_step(self) -> int:
        """0-10: which tenth of the progress ring to fill (CSS has one rule per step)."""
        return round(self.percent_read / 10)


def summarise_progress(document: ProgressDocument, catalogue: Catalogue) -> list[LessonSummary]:
    """One summary per lesson the learner has started, in catalogue order."""
    summaries = []
    for listed in catalogue.lessons:
        entry = document.lessons.get(listed.slug)
        lesson = None if entry is None else catalogue.get(listed.slug)
        if entry is None or lesson is None:
            continue
        outline = {section_id for section_id, _ in lesson.outline}
        checklist = tuple(
            ChecklistLine(
                text=item.text,
                done=item.id in entry.checklist and entry.checklist[item.id].done,
            )
            for item in lesson.checklist
        )
        summaries.append(
            LessonSummary(
                slug=lesson.slug,
                title=lesson.title,
                sections_read=len(outline & set(entry.sections_read)),
                sections_total=len(outline),
                last_read_at=entry.last_read_at,
                checklist=checklist,
                reflection=entry.reflection.text if entry.reflection else "",
                best=best_score(entry),
                last=last_attempt(entry),
                attempts=tuple(reversed(entry.attempts)),
            )
        )
    return summaries
