"""The Django admin shows learners' progress, read-only: staff look, they never edit.

Progress is the learner's own data (they download or delete it on /progress/); an edit here
would also be overwritten by the next device sync, so there is nothing to change.
"""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django.utils.html import format_html, format_html_join

from accounts.admin_site import ReadOnlyAdmin, show_on_learner_page
from progress.document import best_score, validate_document
from progress.models import ProgressRecord


def lesson_lines(record: ProgressRecord) -> list[tuple[str, str]]:
    """One (slug, summary) line per lesson in the record's progress document."""
    document = validate_document(record.document)
    lines = []
    for slug, entry in sorted(document.lessons.items()):
        best = best_score(entry)
        done = sum(tick.done for tick in entry.checklist.values())
        sections, attempts = len(entry.sections_read), len(entry.attempts)
        parts = [
            f"{sections} section{pluralize(sections)} read",
            f"{done} checklist item{pluralize(done)} done",
            f"{attempts} quiz attempt{pluralize(attempts)}",
        ]
        if best is not None:
            parts.append(f"best {best.score}/{best.total}")
        lines.append((slug, ", ".join(parts)))
    return lines


def lessons_html(record: ProgressRecord) -> str:
    lines = lesson_lines(record)
    if not lines:
        return "No progress yet."
    return format_html(
        "<ul>{}</ul>", format_html_join("", "<li><strong>{}</strong>: {}</li>", lines)
    )


@show_on_learner_page
class ProgressInline(admin.StackedInline):
    model = ProgressRecord
    fields = readonly_fields = ("lessons", "version", "updated_at")
    can_delete = False
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description="Lessons")
    def lessons(self, record: ProgressRecord) -> str:
        return lessons_html(record)


@admin.register(ProgressRecord)
class ProgressRecordAdmin(ReadOnlyAdmin):
    list_display = ("user", "lesson_count", "version", "updated_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    ordering = ("-updated_at",)
    fields = readonly_fields = ("user", "lessons", "version", "updated_at", "document_json")

    @admin.display(description="Lessons started")
    def lesson_count(self, record: ProgressRecord) -> int:
        return len(record.document.get("lessons", {}))

    @admin.display(description="Lessons")
    def lessons(self, record: ProgressRecord) -> str:
        return lessons_html(record)

    @admin.display(description="Progress document (as synced)")
    def document_json(self, record: ProgressRecord) -> str:
        return format_html("<pre>{}</pre>", json.dumps(record.document, indent=2, sort_keys=True))
