from __future__ import annotations

from django.db import models


class SearchLesson(models.Model):
    """One lesson as the catalogue search finds and ranks it: all its readable text.

    Rebuilt from `content/` by `manage.py index_lessons`. The full-text indexes over these rows
    and their sections are the database's own (SQLite FTS5 tables, or on PostgreSQL a stored
    `search_vector` tsvector column with a GIN index, and a short `rank_vector` that orders the
    matches), created by the migrations. Search matches, ranks, filters, counts and pages
    lessons here, then picks each shown lesson's best section.
    """

    slug = models.SlugField(max_length=200, unique=True)
    number = models.PositiveIntegerField()
    track = models.CharField(max_length=200)
    category = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    tagline = models.CharField(max_length=500)
    section_titles = models.TextField()
    body = models.TextField()

    def __str__(self) -> str:
        return self.slug


class SearchSection(models.Model):
    """One readable section of one lesson: what a search result links to and quotes."""

    lesson = models.ForeignKey(SearchLesson, on_delete=models.CASCADE, related_name="sections")
    section_id = models.CharField(max_length=200)
    section_title = models.CharField(max_length=300)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "section_id"], name="one_row_a_section")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id}#{self.section_id}"


class SearchIndexState(models.Model):
    """The content hash the search rows were built from (one row), so start-up skips a rebuild."""

    content_hash = models.CharField(max_length=64)
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.content_hash
