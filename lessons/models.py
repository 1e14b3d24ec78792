from __future__ import annotations

from django.db import models


class SearchSection(models.Model):
    """One readable section of one lesson, as the catalogue search indexes it.

    Rebuilt from `content/` by `manage.py index_lessons`; the full-text index over these rows is
    the database's own (SQLite FTS5, or on PostgreSQL a stored `search_vector` tsvector column
    with a GIN index), created by the migrations. The lesson's number, track and category let
    search order, filter and page in SQL.
    """

    lesson_slug = models.SlugField(max_length=200, db_index=True)
    lesson_number = models.PositiveIntegerField(default=0)
    track = models.CharField(max_length=200, default="")
    category = models.CharField(max_length=200, default="")
    lesson_title = models.CharField(max_length=300)
    tagline = models.CharField(max_length=500)
    section_id = models.CharField(max_length=200)
    section_title = models.CharField(max_length=300)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson_slug", "section_id"], name="one_row_a_section")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_slug}#{self.section_id}"


class SearchIndexState(models.Model):
    """The content hash the search rows were built from (one row), so start-up skips a rebuild."""

    content_hash = models.CharField(max_length=64)
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.content_hash
