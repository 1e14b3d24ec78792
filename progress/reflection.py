"""The reflection note as a plain form post (no JavaScript): what it may contain."""

from __future__ import annotations

from django import forms

from progress.document import MAX_REFLECTION_CHARS


class ReflectionForm(forms.Form):
    # Django's CharField refuses the NUL character, which PostgreSQL cannot store in JSON text.
    reflection = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_REFLECTION_CHARS,
        error_messages={
            "max_length": f"Your note is too long (at most {MAX_REFLECTION_CHARS} characters).",
            "null_characters_not_allowed": "Your note contains a NUL character; remove it and "
            "save again.",
        },
    )

    def first_error(self) -> str:
        return str(next(iter(self.errors.get("reflection", [])), "Your note could not be saved."))
