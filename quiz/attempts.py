"""Quiz attempts: choosing the questions, starting, resuming, answering and finishing.

`choose_questions` and `plan_attempt` are pure (they take the random source); the functions that
change the database each run in one transaction and refuse anything that does not fit the attempt
with a `QuizRejection` carrying the HTTP status, leaving the stored attempt unchanged.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from lessons.content import Lesson
from quiz.bank import Option, Question, QuestionBank
from quiz.grading import InvalidAnswer, QuestionGrade, grade_attempt, grade_positions
from quiz.models import Answer, Attempt

_system_random = random.SystemRandom()


class QuizRejection(Exception):
    """A request the quiz refuses; nothing was changed."""

    status = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class AttemptNotFound(QuizRejection):
    status = 404


class AttemptConflict(QuizRejection):
    status = 409


class ChoiceMissing(QuizRejection):
    """Check was pressed with nothing chosen: a learner's slip, shown beside the question."""

    status = 200

    def __init__(self, message: str, *, attempt: Attempt) -> None:
        super().__init__(message)
        self.attempt = attempt  # the page shows the note on this attempt's question


# Where a browser keeps its quiz owner token (see Owner) in its session.
SESSION_OWNER_KEY = "quiz_owner"


@dataclass(frozen=True)
class Owner:
    """Who is taking the quiz: the signed-in user (if any) and this browser's session token."""

    user_id: int | None
    session_key: str

    @staticmethod
    def new_session_key() -> str:
        return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class PlannedQuestion:
    question_id: str
    option_ids: tuple[str, ...]


def choose_questions(bank: QuestionBank, *, form: int, rng: random.Random) -> tuple[Question, ...]:
    """`form` questions in lesson order, with at least one from every sub-lesson."""
    if form >= len(bank.questions):
        return bank.questions
    picked = {
        rng.choice([q for q in bank.questions if q.section_id in part.sections]).id
        for part in bank.sub_lessons
    }
    rest = [q.id for q in bank.questions if q.id not in picked]
    picked.update(rng.sample(rest, form - len(picked)))
    return tuple(q for q in bank.questions if q.id in picked)


def plan_attempt(
    bank: QuestionBank, *, form: int, rng: random.Random
) -> tuple[PlannedQuestion, ...]:
    """The questions of a new attempt, each with its options in a shuffled order."""
    return tuple(
        PlannedQuestion(
            question_id=question.id,
            option_ids=tuple(rng.sample([o.id for o in question.options], len(question.options))),
        )
        for question in choose_questions(bank, form=form, rng=rng)
    )


def _owned_by(owner: Owner) -> Q:
    # An attempt started before signing in stays with the browser that started it.
    anonymous = (
        Q(user__isnull=True, session_key=owner.session_key) if owner.session_key else Q(pk=None)
    )
    return Q(user_id=owner.user_id) | anonymous if owner.user_id is not None else anonymous


def claim_session_attempts(*, session_key: str, user_id: int) -> int:
    """Give this browser's anonymous attempts to the account that just signed in."""
    if not session_key:
        return 0
    return Attempt.objects.filter(user__isnull=True, session_key=session_key).update(
        user_id=user_id
    )


def claim_anonymous_results(*, attempt_ids: Collection[str], user_id: int) -> frozenset[str]:
    """Give finished anonymous attempts to this account, unless another account has them; the
    ids of those the account now holds. Two queries, however many attempts.

    A result signed for an anonymous browser travels through that browser; the first account it
    syncs into keeps it, and any other account is refused it.
    """
    if not attempt_ids:
        return frozenset()
    Attempt.objects.filter(id__in=attempt_ids, user__isnull=True, finished_at__isnull=False).update(
        user_id=user_id
    )
    held = Attempt.objects.filter(id__in=attempt_ids, user_id=user_id).values_list("id", flat=True)
    return frozenset(str(attempt_id) for attempt_id in held)


def owner_attempts(owner: Owner) -> QuerySet[Attempt]:
    return Attempt.objects.filter(_owned_by(owner))


def _fits_bank(attempt: Attempt, bank: QuestionBank) -> bool:
    """False for an attempt planned against questions the bank no longer has."""
    for question_id, option_ids in attempt.plan:
        question = bank.question(question_id)
        if question is None or {o.id for o in question.options} != set(option_ids):
            return False
    return True


def start_attempt(
    *, bank: QuestionBank, form: int, owner: Owner, rng: random.Random | None = None
) -> Attempt:
    if not bank.offers(form):
        raise AttemptNotFound(f"There is no {form}-question form of this quiz.")
    plan = plan_attempt(bank, form=form, rng=rng or _system_random)
    return Attempt.objects.create(
        lesson_slug=bank.lesson_slug,
        form=form,
        user_id=owner.user_id,
        session_key=owner.session_key,
        plan=[[p.question_id, list(p.option_ids)] for p in plan],
    )


def _planned_tag(lesson_slug: str, form: int, nonce: bytes) -> bytes:
    message = f"quiz.planned-attempt:{lesson_slug}:{form}:".encode() + nonce
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()[:8]


def _planned_rng(attempt_id: uuid.UUID) -> random.Random:
    seed = hmac.new(settings.SECRET_KEY.encode(), b"quiz.plan:" + attempt_id.bytes, "sha256")
    return random.Random(seed.digest())  # noqa: S311 - a shuffle replayed from the id, not a secret


def planned_attempt(*, bank: QuestionBank, form: int) -> Attempt:
    """A new attempt that is shown but not stored, for a visitor with no quiz session yet.

    Its id carries a tag (keyed with the secret key) naming its lesson and form, and its plan
    follows from the id, so the first answer can store exactly the attempt that was shown.
    """
    if not bank.offers(form):
        raise AttemptNotFound(f"There is no {form}-question form of this quiz.")
    nonce = secrets.token_bytes(8)
    attempt_id = uuid.UUID(bytes=nonce + _planned_tag(bank.lesson_slug, form, nonce))
    plan = plan_attempt(bank, form=form, rng=_planned_rng(attempt_id))
    return Attempt(
        id=attempt_id,
        lesson_slug=bank.lesson_slug,
        form=form,
        plan=[[p.question_id, list(p.option_ids)] for p in plan],
    )


def shown_planned_attempt(*, attempt_id: uuid.UUID, bank: QuestionBank) -> Attempt | None:
    """The shown-but-unstored attempt an id stands for (rebuilt from the id), or None when the
    id carries no tag of ours."""
    nonce, tag = attempt_id.bytes[:8], attempt_id.bytes[8:]
    for form in bank.forms:
        if hmac.compare_digest(tag, _planned_tag(bank.lesson_slug, form, nonce)):
            plan = plan_attempt(bank, form=form, rng=_planned_rng(attempt_id))
            return Attempt(
                id=attempt_id,
                lesson_slug=bank.lesson_slug,
                form=form,
                plan=[[p.question_id, list(p.option_ids)] for p in plan],
            )
    return None


def store_planned_attempt(*, attempt_id: uuid.UUID, bank: QuestionBank, owner: Owner) -> None:
    """Store a shown-but-unstored attempt at its finish (or its finish page), if its id is ours.

    (An answer stores it in the answer's own transaction: see answer_question.)
    """
    if not owner.session_key and owner.user_id is None:
        return
    # The tag is checked first: an ordinary stored attempt's id never carries one, so its
    # answers cost no extra query.
    shown = shown_planned_attempt(attempt_id=attempt_id, bank=bank)
    if shown is None or Attempt.objects.filter(id=attempt_id).exists():
        return
    shown.user_id = owner.user_id
    shown.session_key = owner.session_key
    try:
        with transaction.atomic():
            shown.save(force_insert=True)
    except IntegrityError:
        pass  # stored already (by this browser, or taken by someone else: not theirs)


# The form number of a short retry of the questions missed in a finished attempt. It is no
# form of FORMS, so a retry is never resumed as one, and its result is never signed for progress.
PRACTICE_FORM = 0


def start_practice_attempt(
    *,
    bank: QuestionBank,
    owner: Owner,
    question_ids: Sequence[str],
    rng: random.Random | None = None,
) -> Attempt:
    """A new attempt asking only `question_ids` (in lesson order), options shuffled again."""
    wanted = set(question_ids)
    questions = [question for question in bank.questions if question.id in wanted]
    if not questions:
        raise AttemptConflict("There is nothing to practise: every answer was right.")
    source = rng or _system_random
    plan = [
        [question.id, source.sample([o.id for o in question.options], len(question.options))]
        for question in questions
    ]
    return Attempt.objects.create(
        lesson_slug=bank.lesson_slug,
        form=PRACTICE_FORM,
        user_id=owner.user_id,
        session_key=owner.session_key,
        plan=plan,
    )


def missed_question_ids(attempt: Attempt) -> list[str]:
    """The questions of a finished attempt answered wrongly or not at all, in its order."""
    right = {answer.question_id for answer in attempt.answers.all() if answer.is_correct}
    return [question_id for question_id, _ in attempt.plan if question_id not in right]


def current_attempt(*, bank: QuestionBank, form: int, owner: Owner) -> Attempt | None:
    """The owner's latest unfinished attempt at this form, if it still fits the bank."""
    attempt = (
        owner_attempts(owner)
        .filter(lesson_slug=bank.lesson_slug, form=form, finished_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    return attempt if attempt is not None and _fits_bank(attempt, bank) else None


def resume_or_start_attempt(*, bank: QuestionBank, form: int, owner: Owner) -> Attempt:
    if not bank.offers(form):
        raise AttemptNotFound(f"There is no {form}-question form of this quiz.")
    attempt = current_attempt(bank=bank, form=form, owner=owner)
    return attempt or start_attempt(bank=bank, form=form, owner=owner)


def owns(attempt: Attempt, owner: Owner) -> bool:
    """An account's attempts are its own; an anonymous attempt belongs to the browser's token."""
    if attempt.user_id is not None and attempt.user_id == owner.user_id:
        return True
    return (
        attempt.user_id is None
        and bool(owner.session_key)
        and (attempt.session_key == owner.session_key)
    )


def get_owned_attempt(
    *, attempt_id: uuid.UUID, bank: QuestionBank, owner: Owner, for_update: bool = False
) -> Attempt:
    """The owner's attempt at this lesson's quiz; anyone else's is 'not found'."""
    attempts = Attempt.objects.select_for_update() if for_update else Attempt.objects
    attempt = attempts.filter(id=attempt_id, lesson_slug=bank.lesson_slug).first()
    if attempt is None or not owns(attempt, owner):
        raise AttemptNotFound("No quiz attempt with that id belongs to this browser.")
    return attempt


def _claim(attempt: Attempt, owner: Owner) -> None:
    """A learner who signed in part-way through keeps the attempt on their account."""
    if attempt.user_id is None and owner.user_id is not None:
        attempt.user_id = owner.user_id
        attempt.save(update_fields=["user"])


def _answerable_question(
    attempt: Attempt, bank: QuestionBank, question_id: str
) -> tuple[Question, list[str]]:
    """The question and its option order in this attempt, if it can still be answered."""
    if attempt.is_finished:
        raise AttemptConflict("This attempt is finished; start a new one to answer again.")
    if not _fits_bank(attempt, bank):
        raise AttemptConflict("This quiz has changed since the attempt began; start again.")
    option_ids = dict(attempt.plan).get(question_id)
    question = bank.question(question_id)
    if question is None:
        raise QuizRejection(f"question: no question '{question_id}' in this quiz.")
    if option_ids is None:
        raise QuizRejection(f"question: '{question_id}' is not part of this attempt.")
    # An answer already given is refused by the one-answer-per-question constraint at insert
    # time (see answer_question), which saves a query on every check.
    return question, option_ids


def _locked_owned_attempt(*, attempt_id: uuid.UUID, bank: QuestionBank, owner: Owner) -> Attempt:
    """The owner's attempt, locked for the caller's transaction; a shown-but-unstored one (see
    planned_attempt) is stored first, in that same transaction, so its first answer costs one."""
    attempts = Attempt.objects.select_for_update().filter(lesson_slug=bank.lesson_slug)
    attempt = attempts.filter(id=attempt_id).first()
    shown = None
    if attempt is None and (owner.session_key or owner.user_id is not None):
        shown = shown_planned_attempt(attempt_id=attempt_id, bank=bank)
    if shown is not None:
        shown.user_id = owner.user_id
        shown.session_key = owner.session_key
        try:
            with transaction.atomic():
                shown.save(force_insert=True)
            attempt = shown
        except IntegrityError:  # stored meanwhile (by this browser, or not theirs: checked below)
            attempt = attempts.filter(id=attempt_id).first()
    if attempt is None or not owns(attempt, owner):
        raise AttemptNotFound("No quiz attempt with that id belongs to this browser.")
    return attempt


def answer_question(
    *,
    attempt_id: uuid.UUID,
    bank: QuestionBank,
    owner: Owner,
    question_id: str,
    positions: Sequence[int],
) -> tuple[Attempt, QuestionGrade]:
    """Grade and store one answer, in one transaction (the attempt's first answer stores the
    attempt too). `positions` are 1-based places in the attempt's option order."""
    grade = None
    try:
        with transaction.atomic():
            attempt = _locked_owned_attempt(attempt_id=attempt_id, bank=bank, owner=owner)
            question, option_ids = _answerable_question(attempt, bank, question_id)
            if positions:
                try:
                    grade = grade_positions(question, option_ids, positions)
                except InvalidAnswer as exc:
                    raise QuizRejection(f"option: {exc}.") from exc
                Answer.objects.create(
                    attempt=attempt,
                    question_id=question_id,
                    selected=sorted(grade.selected),
                    is_correct=grade.is_correct,
                )
                _claim(attempt, owner)
    except IntegrityError as exc:  # the question already has its answer in this attempt
        raise AttemptConflict("This question is already answered in this attempt.") from exc
    if grade is None:
        # Refused once committed: the attempt "Check" was pressed on stays stored, so the page
        # it returns to shows that same attempt.
        raise ChoiceMissing("Choose an answer, then press Check.", attempt=attempt)
    return attempt, grade


def finish_attempt(*, attempt_id: uuid.UUID, bank: QuestionBank, owner: Owner) -> Attempt:
    """Score the attempt on the server and close it; unanswered questions score nothing."""
    store_planned_attempt(attempt_id=attempt_id, bank=bank, owner=owner)
    with transaction.atomic():
        attempt = get_owned_attempt(attempt_id=attempt_id, bank=bank, owner=owner, for_update=True)
        if attempt.is_finished:
            raise AttemptConflict("This attempt is already finished.")
        if not _fits_bank(attempt, bank):
            raise AttemptConflict("This quiz has changed since the attempt began; start again.")
        answers = {a.question_id: a.selected for a in attempt.answers.all()}
        questions = [bank.question(question_id) for question_id, _ in attempt.plan]
        grade = grade_attempt(
            [q for q in questions if q is not None], answers, pass_percent=bank.pass_percent
        )
        attempt.score = grade.score
        attempt.finished_at = timezone.now()
        if attempt.user_id is None and owner.user_id is not None:
            attempt.user_id = owner.user_id
        attempt.save(update_fields=["score", "finished_at", "user"])
    return attempt


def prune_abandoned_attempts(*, older_than: timedelta) -> int:
    """Delete unfinished attempts started before `older_than` ago; returns how many."""
    cutoff = timezone.now() - older_than
    deleted, _ = Attempt.objects.filter(finished_at__isnull=True, started_at__lt=cutoff).delete()
    return deleted


@dataclass(frozen=True)
class AttemptQuestion:
    """One question of an attempt, as the page shows it."""

    number: int
    question: Question
    options: tuple[tuple[int, Option], ...]  # (1-based position, option) in display order
    answer: Answer | None
    section_title: str
    next_anchor: str  # where "Next question" leads: the next question, or the finish section

    @property
    def selected_positions(self) -> frozenset[int]:
        chosen = set(self.answer.selected) if self.answer else set()
        return frozenset(position for position, o in self.options if o.id in chosen)

    @property
    def correct_options(self) -> tuple[Option, ...]:
        return tuple(option for _, option in self.options if option.correct)


def attempt_questions(
    attempt: Attempt, bank: QuestionBank, lesson: Lesson
) -> list[AttemptQuestion]:
    """The attempt's questions in order, with their shuffled options and any stored answers."""
    answers = {answer.question_id: answer for answer in attempt.answers.all()}
    question_ids = [question_id for question_id, _ in attempt.plan]
    anchors = [f"question-{question_id}" for question_id in question_ids[1:]] + ["finish"]
    items = []
    for number, ((question_id, option_ids), anchor) in enumerate(
        zip(attempt.plan, anchors, strict=True), start=1
    ):
        question = bank.question(question_id)
        if question is None:
            continue
        options = tuple(
            (position, option)
            for position, option_id in enumerate(option_ids, start=1)
            if (option := question.option(option_id)) is not None
        )
        items.append(
            AttemptQuestion(
                number=number,
                question=question,
                options=options,
                answer=answers.get(question_id),
                section_title=lesson.section_title(question.section_id),
                next_anchor=anchor,
            )
        )
    return items
