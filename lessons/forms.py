from __future__ import annotations

from django import forms

MAX_PAGE = 10_000


class CatalogueForm(forms.Form):
    """The catalogue's filters, all optional: what cannot be used is dropped with a word why."""

    q = forms.CharField(required=False, strip=True, label="Search lessons")
    track = forms.SlugField(
        required=False, max_length=100, error_messages={"invalid": "Choose a track from the list."}
    )
    category = forms.SlugField(
        required=False,
        max_length=100,
        error_messages={"invalid": "Choose a category from the list."},
    )
    page = forms.CharField(required=False)

    def cleaned_page(self) -> int:
        raw = str(self.cleaned_data.get("page") or "1") if self.is_valid() else "1"
        if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_PAGE)):
            return 1
        return min(max(int(raw), 1), MAX_PAGE)

    def value(self, name: str) -> str:
        return str(self.cleaned_data.get(name) or "") if self.is_valid() else ""
