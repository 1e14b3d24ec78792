from __future__ import annotations

from django.db import migrations

# Choosing the best section of each lesson on a page of results reads the search vector of every
# section of those lessons. About 1 KB each beside a 1 KB body, the vectors were moved out of
# line (TOAST) and reading them cost ten times the buffers of the rows themselves. Kept in the
# row (compressed if need be), the body moves out instead: only a page's 24 hits read it.
IN_LINE = "ALTER TABLE lessons_searchsection ALTER COLUMN search_vector SET STORAGE MAIN"
OUT_OF_LINE = "ALTER TABLE lessons_searchsection ALTER COLUMN search_vector SET STORAGE EXTENDED"


def rebuild_on_next_index(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    # A storage setting applies to rows written after it, and the next `index_lessons` writes
    # every row anew when the state is gone (on SQLite it then also merges the FTS5 segments).
    apps.get_model("lessons", "SearchIndexState").objects.all().delete()


def vectors_in_line(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(IN_LINE)
    rebuild_on_next_index(apps, schema_editor)


def vectors_out_of_line(apps, schema_editor) -> None:  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OUT_OF_LINE)
    rebuild_on_next_index(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("lessons", "0002_search_by_lesson")]

    operations = [migrations.RunPython(vectors_in_line, vectors_out_of_line)]
