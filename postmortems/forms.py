"""The builder's HTML form: one Django form for the template's fixed fields and a formset for the
action items. Form names are the keys a stored draft uses (`impact.who`,
`action_items.3.owner`), so drafts saved in browsers and progress documents open unchanged.

The forms validate; they never drop what the learner typed: `read_submission` builds the draft
from the raw values, so a field with a problem comes back as it was sent, its message beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.http import QueryDict

from postmortems.drafts import Draft, Submission
from postmortems.template import (
    ACTION_FIELD_NAMES,
    ACTION_FIELDS,
    ACTION_KEY,
    ACTION_PREFIX,
    FIELDS,
    MAX_ACTION_ITEMS,
    FieldSpec,
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


class TemplateBoundField(forms.BoundField):
    """A bound field whose id is the one the page, its links and its scripts use."""

    @property
    def auto_id(self) -> str:
        return dom_id(self.html_name)


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


def form_field(spec: FieldSpec) -> forms.Field:
    """The Django field for one control of the template."""
    field: forms.Field
    if spec.kind == "select":
        field = TemplateChoiceField(choices=spec.choices, required=False)
    elif spec.kind == "checkbox":
        field = forms.BooleanField(required=False)
    elif spec.kind == "date":
        field = forms.CharField(required=False, validators=[_check_date])
    else:
        field = TemplateTextField()
    field.label = spec.label
    field.help_text = spec.help
    field.bound_field_class = TemplateBoundField
    return field


class PostmortemForm(forms.Form):
    """Every fixed field of the template, named by its draft key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, spec in FIELDS.items():
            self.fields[key] = form_field(spec)


class ActionItemForm(forms.Form):
    """One action-item row; its fields are named `action_items.<row>.<column>`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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


def _first_error(form: forms.Form, name: str) -> str:
    errors = form.errors.get(name)
    return str(errors[0]) if errors else ""


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: where the field is, what it is called, what is wrong."""

    target: str
    label: str
    message: str


@dataclass(frozen=True)
class ParsedPost:
    submission: Submission
    error_links: tuple[ErrorLink, ...]
    rows_sent: int


def read_submission(data: Mapping[str, Any]) -> ParsedPost:
    """Validate a posted form; the draft keeps every row with text, renumbered in order."""
    posted = with_row_count(data)
    form = PostmortemForm(posted)
    formset = ActionItemFormSet(posted, prefix=ACTION_PREFIX)
    form.is_valid()
    formset.is_valid()

    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    links: list[ErrorLink] = []
    for key, spec in FIELDS.items():
        values[key] = _raw(form, key, spec)
        if message := _first_error(form, key):
            errors[key] = message
            links.append(ErrorLink(dom_id(key), spec.label, message))

    items: list[dict[str, str]] = []
    for row in formset.forms:
        item = {spec.key: _raw(row, spec.key, spec) for spec in ACTION_FIELDS}
        if not any(value.strip() for value in item.values()):
            continue
        position = len(items)
        items.append(item)
        for spec in ACTION_FIELDS:
            if message := _first_error(row, spec.key):
                key = f"{ACTION_PREFIX}.{position}.{spec.key}"
                errors[key] = message
                label = f"Action item {position + 1}, {spec.label.split(' (')[0].lower()}"
                links.append(ErrorLink(dom_id(key), label, message))
    if len(items) > MAX_ACTION_ITEMS:
        message = (
            f"There are {len(items)} action items; the limit is {MAX_ACTION_ITEMS}. "
            "Merge or remove some to save or export."
        )
    else:
        message = " ".join(str(error) for error in formset.non_form_errors())
    if message:
        errors[ACTION_PREFIX] = message
        links.append(ErrorLink(ACTION_PREFIX.replace("_", "-"), "Action items", message))

    draft = Draft(
        values=values,
        action_items=tuple({name: item[name] for name in ACTION_FIELD_NAMES} for item in items),
    )
    return ParsedPost(
        submission=Submission(draft=draft, errors=errors),
        error_links=tuple(links),
        rows_sent=len(formset.forms),
    )


def action_rows_to_show(draft: Draft, *, extra: int = 0) -> int:
    """How many action-item rows a page renders without JavaScript."""
    wanted = max(MIN_ACTION_ROWS, len(draft.action_items) + EMPTY_ACTION_ROWS) + extra
    return max(len(draft.action_items), min(wanted, MAX_ACTION_ITEMS))


def management_form(*, rows: int) -> forms.Form:
    """The formset's hidden counts for a page showing `rows` rows.

    Every row counts as new (there is no stored object behind one), so a row the learner empties
    is dropped rather than counted against the limit.
    """
    return ManagementForm(
        prefix=ACTION_PREFIX,
        initial={
            TOTAL_FORM_COUNT: rows,
            INITIAL_FORM_COUNT: 0,
            MIN_NUM_FORM_COUNT: 0,
            MAX_NUM_FORM_COUNT: MAX_ACTION_ITEMS,
        },
    )
