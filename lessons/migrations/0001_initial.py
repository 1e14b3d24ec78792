from __future__ import annotations

from django.db import migrations, models

# The full-text index is the database's own; each backend gets its kind, the rest gets none.
SQLITE_CREATE = """
CREATE VIRTUAL TABLE lessons_searchsection_fts USING fts5(
    lesson_title, tagline, section_title, body,
    content='lessons_searchsection', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
)
"""
SQLITE_DROP = "DROP TABLE IF EXISTS lessons_searchsection_fts"
POSTGRES_CREATE = """
CREATE INDEX lessons_searchsection_tsv ON lessons_searchsection USING GIN ((
    setweight(to_tsvector('english', lesson_title), 'A') ||
    setweight(to_tsvector('english', tagline), 'B') ||
    setweight(to_tsvector('english', section_title), 'B') ||
    setweight(to_tsvector('english', body), 'C')
))
"""
POSTGRES_DROP = "DROP INDEX IF EXISTS lessons_searchsection_tsv"


def create_full_text_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def drop_full_text_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="SearchIndexState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("content_hash", models.CharField(max_length=64)),
                ("built_at", models.DateTimeField(auto_now=True)),
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
                ("lesson_slug", models.SlugField(max_length=200)),
                ("lesson_title", models.CharField(max_length=300)),
                ("tagline", models.CharField(max_length=500)),
                ("section_id", models.CharField(max_length=200)),
                ("section_title", models.CharField(max_length=300)),
                ("body", models.TextField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("lesson_slug", "section_id"), name="one_row_a_section"
                    )
                ],
            },
        ),
        migrations.RunPython(create_full_text_index, drop_full_text_index),
    ]
