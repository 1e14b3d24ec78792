"""The builder's HTML form: one Django form for the template's fixed fields and a formset for the
action items. Form names are the keys a stored draft uses (`impact.who`,
`action_items.3.owner`), so drafts saved in browsers and progress documents open unchanged.

A post is read into a draft as typed (`draft_from_post`: nothing is dropped, empty action rows
aside, and the rest renumbered); the page is then rendered from the forms bound to that draft
(`BuilderForms`), so each problem shows beside its field from the forms' own errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
)
from django.http import QueryDict

from postmortems.drafts import Draft
from postmortems.template import (
    ACTION_FIELD_NAMES,
    ACTION_FIELDS,
    ACTION_KEY,
    ACTION_PREFIX,
    COUNTER_FROM_CHARS,
    FIELDS,
    MAX_ACTION_ITEMS,
    MAX_FIELD_CHARS,
    SECTIONS,
    FieldSpec,
    SectionSpec,
    date_problem,
    dom_id,
    length_problem,
)

# Rows a page shows without JavaScript: the filled ones plus this many empty ones, at least.
EMPTY_ACTION_ROWS = 1
MIN_ACTION_ROWS = 3
MANAGEMENT_TOTAL = f"{ACTION_PREFIX}-TOTAL_FORMS"


def normalise_text(value: str) -> str:
    """Form text with browser line endings normalised."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class FieldCoaching:
    """What the coach said about one field: its flags (with context) and a note."""

    flags: Sequence[Any] = ()
    note: str = ""


class TemplateBoundField(forms.BoundField):
    """A bound field as the builder page draws it: its id is the one the page, its links and
    builder.js use; a coached field carries its counter, coach region and htmx attributes."""

    @property
    def auto_id(self) -> str:
        return dom_id(self.html_name)

    @property
    def spec(self) -> FieldSpec:
        specs: Mapping[str, FieldSpec] = getattr(self.form, "specs", {})
        return specs[self.name]

    @property
    def aria_describedby(self) -> str:
        ids = []
        if self.help_text and self.spec.kind in ("checkbox", "text", "textarea"):
            ids.append(f"{self.auto_id}-help")
        if self.spec.coached:
            ids.append(f"{self.auto_id}-count")
        if self.errors:
            ids.append(f"{self.auto_id}-error")
        return " ".join(ids)

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        coach_url = getattr(self.form, "coach_url", "")
        if self.spec.coached and coach_url:
            # As the learner types, the coach checks this field alone and fills its region.
            attrs.update(
                {
                    "data-counted": True,
                    "hx-post": f"{coach_url}?field={self.html_name}",
                    "hx-trigger": "input changed delay:500ms",
                    "hx-params": self.html_name,
                    "hx-target": f"#{self.auto_id}-coach",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )
        return attrs

    @property
    def text(self) -> str:
        value = self.value()
        return value if isinstance(value, str) else ""

    @property
    def length(self) -> int:
        return len(self.text)

    @property
    def near_limit(self) -> bool:
        return self.length >= COUNTER_FROM_CHARS

    @property
    def over_limit(self) -> bool:
        return self.length > MAX_FIELD_CHARS

    @property
    def over_by(self) -> int:
        return self.length - MAX_FIELD_CHARS

    @property
    def coaching(self) -> FieldCoaching:
        found: Mapping[str, FieldCoaching] = getattr(self.form, "coaching", {})
        return found.get(self.html_name, FieldCoaching())


def _check_length(value: str) -> None:
    if message := length_problem(value):
        raise ValidationError(message, code="too_long")


def _check_date(value: str) -> None:
    if message := date_problem(value):
        raise ValidationError(message, code="invalid_date")


class TemplateTextField(forms.CharField):
    """Text kept exactly as typed (no stripping, so a leading blank line stays), over-long text
    included: the limit is a message beside the field, never a `maxlength` that cuts a paste."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, strip=False, validators=[_check_length], **kwargs)

    def to_python(self, value: Any) -> str:
        return normalise_text(super().to_python(value) or "")


class TemplateChoiceField(forms.ChoiceField):
    def validate(self, value: Any) -> None:
        if value and not self.valid_value(value):
            raise ValidationError(
                f"“{str(value)[:60]}” is not one of the choices; pick one from the list.",
                code="invalid_choice",
            )


class DateInput(forms.TextInput):
    input_type = "date"


def _textarea(spec: FieldSpec) -> forms.Textarea:
    widget = forms.Textarea(attrs={"rows": spec.rows})
    widget.attrs.pop("cols", None)  # the stylesheet sizes it
    return widget


def form_field(spec: FieldSpec) -> forms.Field:
    """The Django field for one control of the template."""
    field: forms.Field
    if spec.kind == "select":
        field = TemplateChoiceField(choices=spec.choices, required=False)
    elif spec.kind == "checkbox":
        field = forms.BooleanField(required=False)
    elif spec.kind == "date":
        field = forms.CharField(required=False, validators=[_check_date], widget=DateInput)
    elif spec.kind == "text":
        field = TemplateTextField()
    else:
        field = TemplateTextField(widget=_textarea(spec))
    field.label = spec.label
    field.help_text = spec.help
    field.bound_field_class = TemplateBoundField
    return field


class BuilderFormMixin:
    """What the page adds to a bound form: where the coach answers, and what it said."""

    def __init__(
        self,
        *args: Any,
        coach_url: str = "",
        coaching: Mapping[str, FieldCoaching] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.coach_url = coach_url
        self.coaching = coaching or {}


class PostmortemForm(BuilderFormMixin, forms.Form):
    """Every fixed field of the template, named by its draft key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = FIELDS
        for key, spec in FIELDS.items():
            self.fields[key] = form_field(spec)


class ActionItemForm(BuilderFormMixin, forms.Form):
    """One action-item row; its fields are named `action_items.<row>.<column>`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = {spec.key: spec for spec in ACTION_FIELDS}
        for spec in ACTION_FIELDS:
            self.fields[spec.key] = form_field(spec)

    def add_prefix(self, field_name: str) -> str:
        return f"{self.prefix}.{field_name}" if self.prefix else field_name


class BaseActionItemFormSet(forms.BaseFormSet):
    def add_prefix(self, index: Any) -> str:
        return f"{self.prefix}.{index}"


ActionItemFormSet = forms.formset_factory(
    ActionItemForm,
    formset=BaseActionItemFormSet,
    extra=0,
    max_num=MAX_ACTION_ITEMS,
    validate_max=True,
)
ActionItemFormSet.default_error_messages = {
    **forms.BaseFormSet.default_error_messages,
    "too_many_forms": (
        f"There are more than {MAX_ACTION_ITEMS} action items; the limit is {MAX_ACTION_ITEMS}. "
        "Merge or remove some to save or export."
    ),
}


def with_row_count(data: Mapping[str, Any]) -> QueryDict:
    """The post with the formset's row count filled in when it is missing.

    A page rendered before the formset existed (or a post built by hand) names its rows only by
    their fields; counting them keeps their words instead of refusing the whole post.
    """
    posted = QueryDict(mutable=True)
    if isinstance(data, QueryDict):
        posted = data.copy()
    else:
        posted.update(data)
    if MANAGEMENT_TOTAL not in posted:
        indexes = [
            int(found["index"])
            for key in posted
            if (found := ACTION_KEY.match(key)) and found["index"].isdigit()
        ]
        count = max(indexes, default=-1) + 1
        posted[MANAGEMENT_TOTAL] = str(min(count, ActionItemFormSet.absolute_max))
        posted.setdefault(f"{ACTION_PREFIX}-INITIAL_FORMS", "0")
    return posted


def _raw(form: forms.Form, name: str, spec: FieldSpec) -> str:
    """The value as the learner sent it, in the shape a stored draft keeps."""
    value = form[name].data
    if spec.kind == "checkbox":
        return "on" if value else ""
    text = normalise_text(value) if isinstance(value, str) else ""
    if spec.kind == "select" and not text:
        return spec.choices[0][0]
    return text


@dataclass(frozen=True)
class PostedDraft:
    """What a post holds: the draft as typed, and problems with the post itself (its row count)."""

    draft: Draft
    problems: tuple[str, ...] = ()


def draft_from_post(data: Mapping[str, Any]) -> PostedDraft:
    """The draft a posted form holds, every value as sent; empty action rows are dropped and
    the rest renumbered in order. Nothing is validated here: `BuilderForms` does that."""
    posted = with_row_count(data)
    form = PostmortemForm(posted)
    formset = ActionItemFormSet(posted, prefix=ACTION_PREFIX)
    values = {key: _raw(form, key, spec) for key, spec in FIELDS.items()}
    items: list[dict[str, str]] = []
    for row in formset.forms:
        item = {spec.key: _raw(row, spec.key, spec) for spec in ACTION_FIELDS}
        if any(value.strip() for value in item.values()):
            items.append({name: item[name] for name in ACTION_FIELD_NAMES})
    problems: tuple[str, ...] = ()
    if not formset.management_form.is_valid():
        problems = tuple(
            str(error.message % (error.params or {}))
            for error in formset.non_form_errors().as_data()
            if error.code == "missing_management_form"
        )
    return PostedDraft(draft=Draft(values=values, action_items=tuple(items)), problems=problems)


def action_rows_to_show(draft: Draft, *, extra: int = 0) -> int:
    """How many action-item rows a page renders without JavaScript."""
    wanted = max(MIN_ACTION_ROWS, len(draft.action_items) + EMPTY_ACTION_ROWS) + extra
    return max(len(draft.action_items), min(wanted, MAX_ACTION_ITEMS))


def row_field_label(number: int, label: str) -> str:
    """How the summaries name one column of action item `number` (1-based)."""
    return f"Action item {number}, {label.split(' (')[0].lower()}"


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: where the field is, what it is called, what is wrong."""

    target: str
    label: str
    message: str


@dataclass
class BuilderForms:
    """The page's form and action-item formset, bound to a draft: what the builder renders.

    Every row counts as new (there is no stored object behind one), so a row the learner empties
    is dropped rather than counted against the limit; `extra_rows` empty rows follow the filled
    ones (at least `MIN_ACTION_ROWS` in all, at most `MAX_ACTION_ITEMS`).
    """

    draft: Draft
    extra_rows: int = 0
    post_problems: tuple[str, ...] = ()
    coach_url: str = ""
    coaching: Mapping[str, FieldCoaching] = field(default_factory=dict)

    def __post_init__(self) -> None:
        rows = action_rows_to_show(self.draft, extra=self.extra_rows)
        data: dict[str, Any] = {
            **self.draft.form_values(),
            f"{ACTION_PREFIX}-{TOTAL_FORM_COUNT}": str(rows),
            f"{ACTION_PREFIX}-{INITIAL_FORM_COUNT}": "0",
            f"{ACTION_PREFIX}-{MIN_NUM_FORM_COUNT}": "0",
            f"{ACTION_PREFIX}-{MAX_NUM_FORM_COUNT}": str(MAX_ACTION_ITEMS),
        }
        page = {"coach_url": self.coach_url, "coaching": self.coaching}
        self.form = PostmortemForm(data, **page)
        self.formset = ActionItemFormSet(data, prefix=ACTION_PREFIX, form_kwargs=page)

    @property
    def action_items_error(self) -> str:
        """The problem with the rows as a whole; '' when there is none."""
        if self.post_problems:
            return " ".join(self.post_problems)
        count = len(self.draft.action_items)
        if count > MAX_ACTION_ITEMS:
            return (
                f"There are {count} action items; the limit is {MAX_ACTION_ITEMS}. "
                "Merge or remove some to save or export."
            )
        return " ".join(str(error) for error in self.formset.non_form_errors())

    def is_valid(self) -> bool:
        return self.form.is_valid() and self.formset.is_valid() and not self.action_items_error

    def error_links(self) -> list[ErrorLink]:
        """The error summary, in page order: each field with a problem, then the rows'."""
        links = [
            ErrorLink(bound.auto_id, str(bound.label), str(bound.errors[0]))
            for bound in self.form
            if bound.errors
        ]
        for number, row in enumerate(self.formset.forms, start=1):
            links += [
                ErrorLink(
                    bound.auto_id, row_field_label(number, str(bound.label)), str(bound.errors[0])
                )
                for bound in row
                if bound.errors
            ]
        if message := self.action_items_error:
            links.append(ErrorLink(ACTION_PREFIX.replace("_", "-"), "Action items", message))
        return links

    def sections(self) -> list[tuple[SectionSpec, list[TemplateBoundField]]]:
        """Each section of the template with its fields' bound fields (none for the rows)."""
        return [
            (section, [cast(TemplateBoundField, self.form[spec.key]) for spec in section.fields])
            for section in SECTIONS
        ]

    def rows(self) -> list[list[TemplateBoundField]]:
        """The action-item rows' bound fields, row by row."""
        return [[cast(TemplateBoundField, bound) for bound in row] for row in self.formset.forms]
