from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models

# Search matches, ranks, filters, counts and pages whole lessons (at most one row each), then picks
# the best section of each lesson shown. Before, it ranked every matching section, at most 500 of
# them, and kept each lesson's first: counts came out short and a track filter lost lessons.
#
# On PostgreSQL each table gets a stored generated tsvector column with a GIN index: ranking over
# the old expression index recomputed to_tsvector for every matching row. SQLite gets one FTS5
# table per table. The section table is made anew, so the next `index_lessons` refills both.
# Ranking on PostgreSQL reads the opening of a lesson's text (its premise and what AI does and
# cannot do, the sections that come first), not all of it.
RANK_BODY_CHARS = 1000
TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE lessons_searchlesson_fts USING fts5("
    "title, tagline, section_titles, body, "
    f"content='lessons_searchlesson', content_rowid='id', {TOKENIZE})",
    # lesson_id is there to restrict a query to the lessons on one page of results.
    "CREATE VIRTUAL TABLE lessons_searchsection_fts USING fts5("
    "lesson_id, section_title, body, "
    f"content='lessons_searchsection', content_rowid='id', {TOKENIZE})",
]
SQLITE_BACKWARD = [
    "DROP TABLE IF EXISTS lessons_searchlesson_fts",
    "DROP TABLE IF EXISTS lessons_searchsection_fts",
]
POSTGRES_FORWARD = [
    "ALTER TABLE lessons_searchlesson ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', tagline), 'B') || "
    "setweight(to_tsvector('english', section_titles), 'B') || "
    "setweight(to_tsvector('english', body), 'C')) STORED",
    "CREATE INDEX lessons_searchlesson_vector ON lessons_searchlesson USING GIN (search_vector)",
    # What ranking reads: a lesson's whole vector is about 9 KB, kept compressed out of line,
    # and reading it for every matching lesson cost more than the rest of a search together.
    "ALTER TABLE lessons_searchlesson ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', tagline), 'B') || "
    "setweight(to_tsvector('english', section_titles), 'B') || "
    f"setweight(to_tsvector('english', left(body, {RANK_BODY_CHARS})), 'C')) STORED",
    # Kept in the row itself (compressed if need be) while the long columns move out of it.
    "ALTER TABLE lessons_searchlesson ALTER COLUMN rank_vector SET STORAGE MAIN",
    "ALTER TABLE lessons_searchsection ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', section_title), 'B') || "
    "setweight(to_tsvector('english', body), 'C')) STORED",
]
# What 0001 made, for the way back.
OLD_SQLITE = (
    "CREATE VIRTUAL TABLE lessons_searchsection_fts USING fts5("
    "lesson_title, tagline, section_title, body, "
    f"content='lessons_searchsection', content_rowid='id', {TOKENIZE})"
)
OLD_POSTGRES = (
    "CREATE INDEX lessons_searchsection_tsv ON lessons_searchsection USING GIN (("
    "setweight(to_tsvector('english', lesson_title), 'A') || "
    "setweight(to_tsvector('english', tagline), 'B') || "
    "setweight(to_tsvector('english', section_title), 'B') || "
    "setweight(to_tsvector('english', body), 'C')))"
)


def drop_section_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS lessons_searchsection_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS lessons_searchsection_tsv")
    apps.get_model("lessons", "SearchIndexState").objects.all().delete()


def restore_section_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(OLD_SQLITE)
    elif vendor == "postgresql":
        schema_editor.execute(OLD_POSTGRES)
    apps.get_model("lessons", "SearchIndexState").objects.all().delete()


def create_full_text_indexes(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(vendor, []):
        schema_editor.execute(statement)


def drop_full_text_indexes(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    # PostgreSQL's generated columns and their index go with the tables.
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = [
        migrations.RunPython(drop_section_index, restore_section_index),
        migrations.DeleteModel(name="SearchSection"),
        migrations.CreateModel(
            name="SearchLesson",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=200, unique=True)),
                ("number", models.PositiveIntegerField()),
                ("track", models.CharField(max_length=200)),
                ("category", models.CharField(max_length=200)),
                ("title", models.CharField(max_length=300)),
                ("tagline", models.CharField(max_length=500)),
                ("section_titles", models.TextField()),
                ("body", models.TextField()),
            ],
        ),
        migrations.CreateModel(
            name="SearchSection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("section_id", models.CharField(max_length=200)),
                ("section_title", models.CharField(max_length=300)),
                ("body", models.TextField()),
                (
                    "lesson",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sections",
                        to="lessons.searchlesson",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("lesson", "section_id"), name="one_row_a_section"
                    )
                ],
            },
        ),
        migrations.RunPython(create_full_text_indexes, drop_full_text_indexes),
    ]
