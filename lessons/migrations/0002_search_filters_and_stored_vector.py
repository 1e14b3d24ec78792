from __future__ import annotations

from django.db import migrations, models

# The search rows gain the lesson's number, track and category so that search can order, filter
# and page in SQL. On PostgreSQL the weighted tsvector becomes a stored generated column with its
# own GIN index: ranking over the expression index recomputed to_tsvector for every matching row.
# SQLite keeps its FTS5 table. The rows are emptied, so the next `index_lessons` refills them.
WEIGHTED_VECTOR = """
    setweight(to_tsvector('english', lesson_title), 'A') ||
    setweight(to_tsvector('english', tagline), 'B') ||
    setweight(to_tsvector('english', section_title), 'B') ||
    setweight(to_tsvector('english', body), 'C')
"""
POSTGRES_FORWARD = [
    "DROP INDEX IF EXISTS lessons_searchsection_tsv",
    "ALTER TABLE lessons_searchsection ADD COLUMN search_vector tsvector "
    f"GENERATED ALWAYS AS ({WEIGHTED_VECTOR}) STORED",
    "CREATE INDEX lessons_searchsection_vector ON lessons_searchsection USING GIN (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS lessons_searchsection_vector",
    "ALTER TABLE lessons_searchsection DROP COLUMN IF EXISTS search_vector",
    f"CREATE INDEX lessons_searchsection_tsv ON lessons_searchsection USING GIN (({WEIGHTED_VECTOR}))",
]


def empty_search_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "INSERT INTO lessons_searchsection_fts(lessons_searchsection_fts) VALUES('delete-all')"
        )
    apps.get_model("lessons", "SearchSection").objects.all().delete()
    apps.get_model("lessons", "SearchIndexState").objects.all().delete()


def stored_vector(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_FORWARD:
            schema_editor.execute(statement)


def expression_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial")]

    operations = [
        migrations.RunPython(empty_search_index, empty_search_index),
        migrations.AddField(
            model_name="searchsection",
            name="lesson_number",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="searchsection",
            name="track",
            field=models.CharField(default="", max_length=200),
        ),
        migrations.AddField(
            model_name="searchsection",
            name="category",
            field=models.CharField(default="", max_length=200),
        ),
        migrations.RunPython(stored_vector, expression_index),
    ]
