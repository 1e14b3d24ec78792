"""HTTP for the postmortem builder: the page (GET, and POST for the no-JS check), the htmx coach,
and the Markdown export. Parsing is postmortems/forms.py; the domain is drafts.py and coach.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from lessons.content import Lesson, get_lesson
from postmortems.coach import get_coach_rules
from postmortems.drafts import (
    CoachReport,
    Draft,
    MergedFlag,
    assess_readiness,
    coach_within,
)
from postmortems.export import export_filename, export_markdown
from postmortems.forms import (
    BuilderForms,
    FieldCoaching,
    PostedDraft,
    draft_from_post,
    row_field_label,
)
from postmortems.guide import Practice, get_practice
from postmortems.limits import max_coached_chars, seconds_until_coach_allowed
from postmortems.template import (
    COUNTER_FROM_CHARS,
    MAX_ACTION_ITEMS,
    MAX_FIELD_CHARS,
    MAX_FIELDS_PER_DRAFT,
    FieldSpec,
    dom_id,
    is_coached_field,
    length_problem,
)

PAGE = "postmortems/builder.html"
CONTEXT_CHARS = 40
DRAFT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SLOW_DOWN = (
    "The coach is catching its breath: too many checks in a minute. "
    "It reads your draft again in {seconds} s; nothing you typed is lost."
)


def coach_note(key: str, report: CoachReport) -> str:
    """What the flags listed for a field leave out: more phrases, or the field unread."""
    notes = []
    if more := report.more_flags.get(key, 0):
        notes.append(
            f"And {more} more flagged {'phrase' if more == 1 else 'phrases'} in this field, "
            "not listed here: rework the ones above first."
        )
    if key in report.unchecked:
        notes.append(unchecked_note())
    return " ".join(notes)


def unchecked_note() -> str:
    return (
        f"Not checked this time: the coach reads at most {max_coached_chars():,} characters "
        "per check, and the fields before this one used them. It checks this field on its own "
        "as you edit it."
    )


@dataclass(frozen=True)
class FlagView:
    flag: MergedFlag
    before: str
    after: str


def flag_views(text: str, flags: list[MergedFlag]) -> list[FlagView]:
    """Each flag with a little of the text around it, so the learner can find it."""
    views = []
    for flag in flags:
        before = text[max(0, flag.start - CONTEXT_CHARS) : flag.start]
        after = text[flag.end : flag.end + CONTEXT_CHARS]
        views.append(
            FlagView(
                flag=flag,
                before=("…" if flag.start > CONTEXT_CHARS else "") + before.lstrip(),
                after=after.rstrip() + ("…" if flag.end + CONTEXT_CHARS < len(text) else ""),
            )
        )
    return views


@dataclass(frozen=True)
class FlagLink:
    """One line of the check's summary: a field the coach flagged, and how many phrases."""

    target: str
    label: str
    count: int


def flag_links(forms: BuilderForms) -> list[FlagLink]:
    """Every flagged field in page order, so the summary can link to each."""
    links = []
    for section, fields in forms.sections():
        if section.is_action_items:
            for number, row in enumerate(forms.rows(), start=1):
                links += [
                    FlagLink(
                        bound.auto_id,
                        row_field_label(number, str(bound.label)),
                        len(bound.coaching.flags),
                    )
                    for bound in row
                    if bound.coaching.flags
                ]
        links += [
            FlagLink(bound.auto_id, str(bound.label), len(bound.coaching.flags))
            for bound in fields
            if bound.coaching.flags
        ]
    return links


def _lesson_and_practice(slug: str) -> tuple[Lesson, Practice]:
    lesson = get_lesson(slug)
    practice = get_practice(slug) if lesson else None
    if lesson is None or practice is None:
        raise Http404("This lesson has no practice.")
    return lesson, practice


def _example_text(spec: FieldSpec, value: str) -> str:
    if spec.kind == "checkbox":
        return "Yes" if value == "on" else "No"
    return spec.choice_label(value) if spec.kind == "select" else value


def coach_link() -> str:
    rules = get_coach_rules()
    return reverse("lessons:detail", args=[rules.lesson]) + f"#{rules.lesson_section}"


def coaching_for(report: CoachReport, values: Mapping[str, str]) -> dict[str, FieldCoaching]:
    """What the coach said about each field it flagged or had to leave unchecked."""
    return {
        key: FieldCoaching(
            flags=flag_views(text, report.flags.get(key, [])),
            note=coach_note(key, report),
        )
        for key, text in values.items()
        if key in report.flags or key in report.unchecked
    }


def page_context(
    lesson: Lesson,
    practice: Practice,
    posted: PostedDraft,
    *,
    coached: bool,
    extra_rows: int = 0,
    coach_wait: int | None = None,
) -> dict[str, Any]:
    """Everything the builder shows: sections with guidance, the bound forms, flags, readiness.

    `coach_wait` (seconds) says the coach is rate-limited: the page is checked but not coached.
    """
    draft = posted.draft
    values = draft.form_values()
    rules = get_coach_rules()
    coaching = coached and coach_wait is None
    report = (
        coach_within(values, rules=rules, max_chars=max_coached_chars())
        if coaching
        else CoachReport(flags={})
    )
    forms = BuilderForms(
        draft,
        extra_rows=extra_rows,
        post_problems=posted.problems,
        coach_url=reverse("postmortems:coach", args=[lesson.slug]),
        coaching=coaching_for(report, values),
    )
    sections = []
    for section, fields in forms.sections():
        guide = practice.guides[section.id]
        sections.append(
            {
                "spec": section,
                "guide": guide,
                "lesson_title": lesson.section_title(guide.lesson_section),
                "fields": fields,
                "example": [
                    (spec.label, _example_text(spec, guide.example[spec.key]))
                    for spec in section.fields
                    if guide.example.get(spec.key)
                ],
            }
        )
    readiness = assess_readiness(draft, names=rules.names, flag_count=report.flag_count)
    valid = forms.is_valid()
    return {
        "lesson": lesson,
        "practice": practice,
        "forms": forms,
        "sections": sections,
        "action_error": forms.action_items_error,
        "errors": not valid,
        "error_links": [] if valid else forms.error_links(),
        "coach_link": coach_link(),
        "flag_total": readiness.flag_count,
        "flag_links": flag_links(forms),
        "coached": coaching,
        "coach_wait_note": SLOW_DOWN.format(seconds=coach_wait) if coach_wait else "",
        "unchecked_count": len(report.unchecked),
        "max_coached_chars": f"{max_coached_chars():,}",
        "readiness": readiness,
        "max_chars": MAX_FIELD_CHARS,
        "counter_from": COUNTER_FROM_CHARS,
        "max_action_items": MAX_ACTION_ITEMS,
        # The sync API's cap per draft is configured to hold this many (see the system check).
        "max_fields": MAX_FIELDS_PER_DRAFT,
        "can_add_row": len(forms.formset.forms) < MAX_ACTION_ITEMS,
    }


def _draft_id(request: HttpRequest) -> str:
    """The browser draft a no-JS-style post came from, so builder.js keeps saving into it."""
    value = request.POST.get("draft_id", "")
    return value if DRAFT_ID.fullmatch(value) else ""


def _posted_page(
    request: HttpRequest, lesson: Lesson, practice: Practice, posted: PostedDraft, *, extra: int = 0
) -> HttpResponse:
    wait = seconds_until_coach_allowed(request)
    context = page_context(
        lesson, practice, posted, coached=True, extra_rows=extra, coach_wait=wait
    )
    context.update(source="post", draft_id=_draft_id(request))
    status = 400 if context["errors"] else 429 if wait else 200
    response = render(request, PAGE, context, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def builder_page(request: HttpRequest, slug: str) -> HttpResponse:
    lesson, practice = _lesson_and_practice(slug)
    if request.method == "GET":
        from_example = request.GET.get("example") == "1"
        draft = practice.example_draft() if from_example else Draft()
        context = page_context(lesson, practice, PostedDraft(draft=draft), coached=False)
        context["source"] = "example" if from_example else "blank"
        return render(request, PAGE, context)
    extra = 1 if request.POST.get("intent") == "add-action" else 0
    return _posted_page(request, lesson, practice, draft_from_post(request.POST), extra=extra)


@require_POST
def coach(request: HttpRequest, slug: str) -> HttpResponse:
    """htmx: `?field=<key>` coaches one field; without it, the whole form is reviewed."""
    lesson, _practice = _lesson_and_practice(slug)
    key = request.GET.get("field")
    if key is not None and (not is_coached_field(key) or key not in request.POST):
        return HttpResponse("Unknown field for the coach.", status=400, content_type="text/plain")
    if (wait := seconds_until_coach_allowed(request)) is not None:
        # A 429 is swapped in (see htmx-config in base.html): the note replaces stale hints.
        template = PAGE + "#flags" if key is not None else PAGE + "#resting"
        note = {"note": SLOW_DOWN.format(seconds=wait)}
        response = render(request, template, note, status=429)
        response["Retry-After"] = str(wait)
        return response
    if key is None:
        return _review(request, lesson)
    text = request.POST[key]
    # An overlong field gets a 200 with a note, not an error status: htmx does not swap error
    # responses, so the hints from before the text grew would stay on screen.
    report = coach_within({key: text}, rules=get_coach_rules(), max_chars=max_coached_chars())
    context = {
        "lesson": lesson,
        "flags": flag_views(text, report.flags.get(key, [])),
        "note": _region_note(key, text, report),
        "coach_link": coach_link(),
    }
    return render(request, PAGE + "#flags", context)


def _region_note(key: str, text: str, report: CoachReport) -> str:
    if message := length_problem(text):
        return f"{message} The coach checks it again once it fits."
    return coach_note(key, report)


def _review(request: HttpRequest, lesson: Lesson) -> HttpResponse:
    """Flags for every posted field and the readiness panel, as htmx out-of-band swaps."""
    rules = get_coach_rules()
    values = {key: request.POST[key] for key in request.POST if is_coached_field(key)}
    report = coach_within(values, rules=rules, max_chars=max_coached_chars())
    draft = draft_from_post(request.POST).draft
    readiness = assess_readiness(draft, names=rules.names, flag_count=report.flag_count)
    regions = [
        (dom_id(key), flag_views(text, report.flags.get(key, [])), _region_note(key, text, report))
        for key, text in values.items()
    ]
    context = {
        "lesson": lesson,
        "regions": regions,
        "readiness": readiness,
        "coach_link": coach_link(),
    }
    return render(request, PAGE + "#review", context)


@require_POST
def export(request: HttpRequest, slug: str) -> HttpResponse:
    lesson, practice = _lesson_and_practice(slug)
    posted = draft_from_post(request.POST)
    if not BuilderForms(posted.draft, post_problems=posted.problems).is_valid():
        return _posted_page(request, lesson, practice, posted)
    draft = posted.draft
    response = HttpResponse(export_markdown(draft), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(draft)}"'
    return response
