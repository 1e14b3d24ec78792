"""Progress: the sync API, the learner's own progress page and download, the no-JS note form."""

from __future__ import annotations

from allauth.account.decorators import verified_email_required
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import csrf
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from config.json_api import JsonBodyProblem, read_json_body
from lessons.content import get_catalogue
from progress.document import (
    MAX_BODY_BYTES,
    DocumentProblem,
    InvalidDocument,
    document_from_data,
    document_to_json,
)
from progress.reflection import ReflectionForm
from progress.summary import summarise_progress
from progress.sync import save_reflection, stored_progress, sync_progress

SYNC_REFUSED = "The progress document was not accepted; nothing was stored."


def _refused(problems: list[DocumentProblem], *, status: int = 400) -> JsonResponse:
    body = {"error": SYNC_REFUSED, "problems": [problem.as_json() for problem in problems]}
    return JsonResponse(body, status=status)


@require_POST
def sync(request: HttpRequest) -> JsonResponse:
    """Merge the device's whole progress document into the account's; return the merged one."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Sign in to sync your progress across devices."}, status=401)
    try:
        data = read_json_body(request, max_bytes=MAX_BODY_BYTES)
    except JsonBodyProblem as problem:
        return _refused([DocumentProblem("(document)", problem.message)], status=problem.status)
    try:
        incoming = document_from_data(data, lesson_exists=get_catalogue().has)
        result = sync_progress(user_id=request.user.pk, incoming=incoming)
    except InvalidDocument as exc:
        return _refused(exc.problems, status=exc.status)
    return JsonResponse(result.as_json())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """JSON for the API (a script reads it); Django's own page everywhere else."""
    if request.path.startswith("/api/"):
        message = "CSRF check failed: send the X-CSRFToken header from the page's cookie."
        return JsonResponse({"error": message, "reason": reason}, status=403)
    return csrf.csrf_failure(request, reason=reason)


@require_GET
def progress_page(request: HttpRequest) -> HttpResponse:
    catalogue = get_catalogue()
    summaries = []
    if request.user.is_authenticated:
        summaries = summarise_progress(stored_progress(user_id=request.user.pk), catalogue)
    context = {"summaries": summaries, "lessons": catalogue.lessons}
    return render(request, "progress/progress.html", context)


# The download holds everything stored under the address: it waits until the learner has
# confirmed the address is theirs (the decorator re-sends the link and says so).
@verified_email_required
@require_GET
def download(request: HttpRequest) -> JsonResponse:
    user_id = request.user.pk
    if user_id is None:  # verified_email_required lets only a signed-in learner through
        raise PermissionDenied
    document = document_to_json(stored_progress(user_id=user_id))
    response = JsonResponse(document, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="tendril-progress.json"'
    return response


@csrf_exempt
@require_POST
def reflection(request: HttpRequest, slug: str) -> HttpResponse:
    """The reflection note posted without JavaScript (signed-in learners only).

    Signed out, the post only leads to the sign-in page and changes nothing, so it needs no CSRF
    token: the lesson page a visitor without a session gets is shared, and carries none.
    """
    if not get_catalogue().has(slug):
        raise Http404("No lesson with that address.")
    lesson_url = reverse("lessons:detail", args=[slug]) + "#reflection-note"
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={lesson_url}")
    return _save_reflection(request, user_id=request.user.pk, slug=slug, lesson_url=lesson_url)


@csrf_protect
def _save_reflection(
    request: HttpRequest, *, user_id: int, slug: str, lesson_url: str
) -> HttpResponse:
    form = ReflectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
    else:
        text = form.cleaned_data["reflection"]
        save_reflection(user_id=user_id, lesson_slug=slug, text=text, at=timezone.now())
        messages.success(request, "Your note is saved.")
    return redirect(lesson_url)
